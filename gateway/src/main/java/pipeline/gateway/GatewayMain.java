package pipeline.gateway;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.config.Settings;
import pipeline.config.SettingsException;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.KafkaAccessException;

/** The gateway process: the HTTP API until SIGTERM or Ctrl-C. Settings: {@link GatewaySettings}. */
public final class GatewayMain {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayMain.class);

    private GatewayMain() {
    }

    public static void main(String[] args) throws Exception {
        GatewaySettings settings;
        try {
            settings = GatewaySettings.from(Settings.fromEnvironment(GatewaySettings.ALL));
        } catch (SettingsException e) {
            System.err.println("gateway: " + e.getMessage());
            System.exit(1);
            return;
        }
        try {
            ApiKeyRing.of(settings);
        } catch (IllegalArgumentException e) {
            System.err.println("gateway: " + e.getMessage() + " (set PIPELINE_GATEWAY_API_KEYS, e.g. '<16+ characters>:ingest+read',"
                    + " or PIPELINE_GATEWAY_API_KEYS_FILE to a file of such lines)");
            System.exit(1);
            return;
        }
        try {
            ImageRoutes.parse(settings.routes());
        } catch (IllegalArgumentException e) {
            System.err.println("gateway: " + e.getMessage() + " (set PIPELINE_GATEWAY_ROUTES)");
            System.exit(1);
            return;
        }
        try {
            settings.access().check(settings.kafka(), Duration.ofSeconds(60));
        } catch (KafkaAccessException e) {
            System.err.println("gateway: " + e.getMessage());
            System.exit(1);
            return;
        }
        SchemaRegistryClient registry = new SchemaRegistryClient(settings.registry());
        GatewayServer server = new GatewayServer(settings, registry);
        LOG.info("Gateway listening on {}://{}:{}/v1; Kafka at {}, the registry at {}", settings.tls() ? "https" : "http",
                settings.host(), server.port(), settings.kafka(), settings.registry());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            registry.close();
            LOG.info("Gateway stopped");
            stopped.countDown();
        }));
        stopped.await();
    }
}
