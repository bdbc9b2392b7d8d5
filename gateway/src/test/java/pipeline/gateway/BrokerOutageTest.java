package pipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import pipeline.infra.KafkaBroker;
import pipeline.infra.Ports;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestRegistry;

/**
 * The broker stopped under load and started again, with one gateway running throughout: requests
 * meanwhile get {@code 503} within a second, the gateway takes images again by itself, and every
 * image that got {@code 202} is on {@code images}. The broker is a process of this test's own (the
 * shared one must stay up for the other tests).
 */
@ExtendWith(RealInfrastructure.class)
class BrokerOutageTest {

    private static final String KEY = "outage-ingest-key-0123456789";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);
    /** What "within a second" may take on a shared two-core machine: the request timeout plus scheduling. */
    private static final long SLOWEST_503_MILLIS = REQUEST_TIMEOUT.toMillis() + 500;

    private final HttpClient http = HttpClient.newHttpClient();

    /** One request's outcome: its image id, status, when it started (ns) and how long it took (ms). */
    private record Outcome(String id, int status, long startedNanos, long millis, String retryAfter) {
    }

    @Test
    void whileTheBrokerIsDownRequestsGet503AndAfterItIsBackNoAcceptedImageIsMissing(TestRegistry testRegistry,
                                                                                 @TempDir Path dataDir) throws Exception {
        int port = Ports.anyFree();
        int controllerPort = Ports.anyFree();
        KafkaBroker broker = KafkaBroker.start(dataDir, port, controllerPort, Duration.ofMinutes(2));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
        }
        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        AtomicBoolean sending = new AtomicBoolean(true);
        try (SchemaRegistryClient registry = new SchemaRegistryClient(RegistryClientOptions.of(testRegistry.url()));
             GatewayServer gateway = new GatewayServer(GatewaySettings.plain(broker.bootstrapServers(), testRegistry.url(),
                     "127.0.0.1", 0, KEY + ":ingest", 1 << 20, 4096, 100_000, 100_000, REQUEST_TIMEOUT, Duration.ofSeconds(3), 100),
                     registry)) {
            byte[] png = Images.encoded("png");
            AtomicInteger next = new AtomicInteger();
            List<Thread> clients = List.of(1, 2).stream().map(c -> Thread.ofPlatform().name("client-" + c).start(() -> {
                while (sending.get()) {
                    outcomes.add(post(gateway.port(), "outage-" + next.incrementAndGet(), png));
                }
            })).toList();

            awaitCount(outcomes, 202, 50, Duration.ofSeconds(30));
            broker.close();
            long stoppedAt = System.nanoTime();
            Thread.sleep(3000);
            assertThat(status(gateway.port(), "/ready")).as("/ready while the broker is down").isEqualTo(503);
            long restartedAt = System.nanoTime();
            broker = KafkaBroker.start(dataDir, port, controllerPort, Duration.ofMinutes(2));
            long recovered = awaitAcceptedAfter(outcomes, restartedAt, Duration.ofSeconds(60));
            sending.set(false);
            for (Thread client : clients) {
                client.join();
            }

            List<Outcome> duringOutage = outcomes.stream().filter(o -> o.startedNanos() > stoppedAt && o.startedNanos() < restartedAt).toList();
            assertThat(duringOutage).as("requests while the broker was down").isNotEmpty()
                    .allSatisfy(o -> assertThat(o.status()).as("status of %s", o.id()).isEqualTo(503));
            assertThat(duringOutage).allSatisfy(o -> {
                assertThat(o.millis()).as("answer time of %s (ms)", o.id()).isLessThanOrEqualTo(SLOWEST_503_MILLIS);
                assertThat(o.retryAfter()).as("Retry-After of %s", o.id()).isEqualTo("1");
            });
            assertThat(outcomes).as("every answer is 202 or 503").allSatisfy(o -> assertThat(o.status()).isIn(202, 503));
            assertThat(Duration.ofNanos(recovered - restartedAt)).as("time to take images again after the restart")
                    .isLessThan(Duration.ofSeconds(60));
            assertThat(status(gateway.port(), "/ready")).as("/ready after the broker is back").isEqualTo(200);

            Set<String> accepted = new HashSet<>();
            outcomes.stream().filter(o -> o.status() == 202).forEach(o -> accepted.add(o.id()));
            assertThat(idsOnImages(broker.bootstrapServers(), accepted)).as("accepted images on the images topic")
                    .containsAll(accepted);
        } finally {
            sending.set(false);
            broker.close();
        }
    }

    private Outcome post(int port, String id, byte[] png) {
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/images?id=" + id))
                    .header("Authorization", "Bearer " + KEY).header("Content-Type", "image/png")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(png)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 202) {
                assertThat(new JsonObject(response.body()).getString("message")).isNotBlank();
            }
            return new Outcome(id, response.statusCode(), start, (System.nanoTime() - start) / 1_000_000,
                    response.headers().firstValue("Retry-After").orElse(null));
        } catch (Exception e) {
            return new Outcome(id, -1, start, (System.nanoTime() - start) / 1_000_000, null);
        }
    }

    private int status(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static void awaitCount(ConcurrentLinkedQueue<Outcome> outcomes, int status, long count, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (outcomes.stream().filter(o -> o.status() == status).count() < count) {
            assertThat(System.nanoTime()).as("%d answers with status %d in time", count, status).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** When the first request started after {@code since} was accepted. */
    private static long awaitAcceptedAfter(ConcurrentLinkedQueue<Outcome> outcomes, long since, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            var first = outcomes.stream().filter(o -> o.status() == 202 && o.startedNanos() > since).findFirst();
            if (first.isPresent()) {
                return first.get().startedNanos();
            }
            assertThat(System.nanoTime()).as("a request accepted after the broker restarted").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static Set<String> idsOnImages(String bootstrapServers, Set<String> wanted) {
        Set<String> found = new HashSet<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers, ConsumerConfig.GROUP_ID_CONFIG, "outage-check", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(Set.of(Topics.IMAGES.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!found.containsAll(wanted) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> found.add(r.key()));
            }
        }
        return found;
    }
}
