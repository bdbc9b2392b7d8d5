package pipeline.ops;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import pipeline.config.Settings;
import pipeline.convnet.model.ModelFile;
import pipeline.gateway.GatewayMain;
import pipeline.infra.InfraException;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.ModelKey;
import pipeline.trainer.TrainerMain;
import pipeline.worker.WorkerMain;

/**
 * The services on top of the local stack's broker and registry: the {@code models} topic seeded
 * with the bundled model, a fresh API key, the gateway, the inference workers and the trainer, each a
 * supervised process with its log in the stack's data folder.
 */
final class StackServices implements AutoCloseable {

    private static final String REPLAY_DATA = "PIPELINE_TRAINER_REPLAY_DATA";

    private final Supervisor supervisor;
    private final ApiKey key;
    private final Path keyFile;
    private final URI gateway;
    private final ModelKey seeded;

    private StackServices(Supervisor supervisor, ApiKey key, Path keyFile, URI gateway, ModelKey seeded) {
        this.supervisor = supervisor;
        this.key = key;
        this.keyFile = keyFile;
        this.gateway = gateway;
        this.seeded = seeded;
    }

    /**
     * @param configFile the settings file {@code run} was given, or {@code null}: the services read
     *                   their own scopes of it ({@code gateway.*}, {@code worker.*}, {@code trainer.*})
     */
    static StackServices start(LocalStack stack, StackOptions stackOptions, ServiceOptions options, Path configFile,
                               PrintStream out) throws InterruptedException {
        Path dataDir = stackOptions.dataDir().toAbsolutePath();
        ModelKey seeded;
        try (SchemaRegistryClient registry = new SchemaRegistryClient(RegistryClientOptions.of(stack.registryUrl()))) {
            seeded = ModelSeed.seedIfNew(KafkaConnection.plaintext(stack.bootstrapServers()), registry, options.modelFile(), ServiceOptions.MODEL_FILE);
        }
        ApiKey key = ApiKey.generate();
        Path keyFile = dataDir.resolve("api-key");
        key.writeTo(keyFile);

        Map<String, String> common = new HashMap<>(Map.of("PIPELINE_KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers(),
                "PIPELINE_REGISTRY_URL", stack.registryUrl()));
        if (configFile != null) {
            common.put(Settings.CONFIG_FILE_ENV, configFile.toAbsolutePath().toString());
        }
        List<ServiceProcess> services = new ArrayList<>();
        int gatewayPort = LocalStack.claim(options.gatewayPort(), "the gateway", ServiceOptions.GATEWAY_PORT.envName());
        URI gateway = URI.create("http://127.0.0.1:" + gatewayPort);
        services.add(new ServiceProcess("gateway", GatewayMain.class.getName(), "512m", with(common, Map.of(
                "PIPELINE_GATEWAY_PORT", Integer.toString(gatewayPort),
                "PIPELINE_GATEWAY_API_KEYS", key.gatewaySetting())), gateway.resolve("/ready"), dataDir.resolve("gateway.log")));
        for (int i = 1; i <= options.workers(); i++) {
            int port = LocalStack.claim(options.workerPort() == 0 ? 0 : options.workerPort() + i - 1, "worker " + i,
                    ServiceOptions.WORKER_PORT.envName());
            services.add(new ServiceProcess("worker-" + i, WorkerMain.class.getName(), "1g", with(common, Map.of(
                    "PIPELINE_WORKER_INSTANCE_ID", "local-worker-" + i,
                    "PIPELINE_WORKER_HTTP_PORT", Integer.toString(port),
                    "PIPELINE_WORKER_MODEL_FILE", options.modelFile().toAbsolutePath().toString())),
                    URI.create("http://127.0.0.1:" + port + "/ready"), dataDir.resolve("worker-" + i + ".log")));
        }
        if (options.trainer()) {
            int port = LocalStack.claim(options.trainerPort(), "the trainer", ServiceOptions.TRAINER_PORT.envName());
            // The trainer fine-tunes the model the stack serves: the one named in the model file.
            Map<String, String> trainer = new HashMap<>(Map.of(
                    "PIPELINE_TRAINER_MODEL_NAME", modelName(options.modelFile()),
                    "PIPELINE_TRAINER_HTTP_PORT", Integer.toString(port),
                    "PIPELINE_TRAINER_STATE_DIR", dataDir.resolve("trainer-state").toString(),
                    "PIPELINE_TRAINER_COLD_START", options.modelFile().toAbsolutePath().toString()));
            // The bundled model learnt from Debian's Fashion-MNIST training images: rounds replay them beside the feed.
            if (bundled(options.modelFile()) && System.getenv(REPLAY_DATA) == null
                    && FeedOptions.holdsIdx(FeedOptions.DEBIAN_DATASET, "train")) {
                trainer.put(REPLAY_DATA, FeedOptions.DEBIAN_DATASET.toString());
            }
            services.add(new ServiceProcess("trainer", TrainerMain.class.getName(), "3g", with(common, trainer),
                    URI.create("http://127.0.0.1:" + port + "/ready"), dataDir.resolve("trainer.log"), true));
        }
        Supervisor supervisor = new Supervisor(services, dataDir, stackOptions.startTimeout(), out);
        return new StackServices(supervisor, key, keyFile, gateway, seeded);
    }

    /** Whether {@code modelFile} is the bundled model (however the path to it is written). */
    private static boolean bundled(Path modelFile) {
        try {
            return Files.isSameFile(modelFile, ServiceOptions.MODEL_FILE.defaultValue());
        } catch (IOException e) {
            return false;
        }
    }

    private static String modelName(Path modelFile) {
        try {
            return ModelFile.read(modelFile).info().name();
        } catch (IOException e) {
            throw new InfraException("Cannot read the model file " + modelFile.toAbsolutePath() + ": " + e.getMessage() + " (set "
                    + ServiceOptions.MODEL_FILE.key() + " / " + ServiceOptions.MODEL_FILE.envName() + ")", e);
        }
    }

    private static Map<String, String> with(Map<String, String> common, Map<String, String> own) {
        Map<String, String> all = new HashMap<>(common);
        all.putAll(own);
        return all;
    }

    void describe(PrintStream out) {
        if (seeded != null) {
            out.printf("  Model                     %s published as version 1 (promoted)%n", seeded);
        }
        supervisor.describe(out);
        out.printf("%nGateway   %s/v1   (API document: %s/v1/openapi.json)%n", gateway, gateway);
        out.printf("API key   %s   (every scope; also in %s)%n", key.value(), keyFile);
        out.printf("Try       curl -H 'Authorization: Bearer %s' -H 'Content-Type: image/png' --data-binary @some.png '%s/v1/images?wait=5s'%n",
                key.value(), gateway);
    }

    /** Starts a live feed through this stack's gateway, with its key. */
    LiveFeed feed(FeedOptions options, PrintStream out) throws IOException {
        return LiveFeed.start(gateway, key.value(), options, Duration.ofSeconds(10), out);
    }

    @Override
    public void close() {
        supervisor.close();
    }
}
