package pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import pipeline.infra.KafkaBroker;
import pipeline.infra.Ports;
import pipeline.ops.GatewayLoad.Answers;
import pipeline.ops.load.LoadImages;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.KafkaConnection;

/**
 * The whole system as {@code ./pipeline run} starts it (broker, registry, gateway, a worker and the
 * trainer, each a process of its own) taking images over HTTP, and losing none of them when a
 * worker, the broker or the trainer goes down.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndTest {

    static final Path SAMPLE = Path.of("../convnet/src/test/resources/fashion-mnist-sample");
    static final Duration ALL_PREDICTED = Duration.ofMinutes(2);

    /** The stack's data folder. */
    private Path dataDir;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private StackCommand stack;
    private KafkaBroker restartedBroker;
    private SchemaRegistryClient registry;
    private List<LoadImages.Image> images;
    private int kafkaPort;
    private int controllerPort;

    @BeforeAll
    void startTheStack(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        dataDir = dir;
        kafkaPort = freePort();
        controllerPort = freePort();
        // Training rounds after a few labels, so that restarting the trainer meets it mid-training; the
        // test's one key may ask more than a camera's share.
        Path config = Files.writeString(dataDir.resolve("stack.properties"), """
                gateway.rate-per-key = 10000
                gateway.burst-per-key = 10000
                trainer.round-labels = 60
                trainer.round-interval = 3s
                trainer.round-steps = 20
                trainer.min-held-out = 5
                """);
        // The caller's environment is set up for a secured cluster of its own; the stack's services must not take it.
        stack = StackCommand.start(dataDir.resolve("stack"), Map.of("PIPELINE_STACK_KAFKA_PORT", Integer.toString(kafkaPort),
                "PIPELINE_STACK_CONTROLLER_PORT", Integer.toString(controllerPort), "PIPELINE_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "PIPELINE_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512", "PIPELINE_REGISTRY_BEARER_TOKEN", "for-another-registry"),
                "--config", config.toString());
        stack.awaitReady();
        registry = new SchemaRegistryClient(RegistryClientOptions.of(stack.printed("  Schema registry").split("\\s+")[3]));
        images = LoadImages.fromIdx(SAMPLE, 1000);
    }

    @AfterAll
    void stopTheStack() throws Exception {
        if (stack != null) {
            // The services' logs are in the same folder, kept when a test fails.
            Files.write(dataDir.resolve("stack-output.txt"), stack.output());
            stack.process().destroy();
            stack.process().waitFor(90, TimeUnit.SECONDS);
            stack.close();
        }
        if (restartedBroker != null) {
            restartedBroker.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    @Order(1)
    void aThousandImagesThroughTheGatewayEachHaveOnePredictionRetrievableByIdAndOnTheLiveStream() throws Exception {
        Set<String> streamed = ConcurrentHashMap.newKeySet();
        CompletableFuture<?> stream = followTheLiveStream("e2e-once", streamed);

        Answers answers = load("e2e-once", "--concurrency", "8", "--count", "1000");
        Set<String> accepted = answers.accepted();

        assertThat(accepted).as("images accepted (202); statuses %s, the first others: %s", answers.report().statuses(),
                answers.unexpected()).hasSize(1000);
        assertEachHasExactlyOnePrediction(accepted);
        for (String id : accepted) {
            HttpResponse<String> byId = get("/v1/predictions/" + id);
            assertThat(byId.statusCode()).as("GET /v1/predictions/%s", id).isEqualTo(200);
            assertThat(new JsonObject(byId.body()).getString("id")).isEqualTo(id);
        }
        awaitTrue(() -> streamed.containsAll(accepted), Duration.ofSeconds(30),
                () -> "every prediction on the live stream; missing " + PredictionAudit.difference(accepted, streamed));
        stream.cancel(true);
    }

    @Test
    @Order(2)
    void aWorkerKilledDuringLoadAndStartedAgainLeavesEveryAcceptedImageWithOnePrediction() throws Exception {
        GatewayLoad load = startLoad("e2e-kill", "--rate", "100", "--duration", "8s");
        Thread.sleep(2_000);
        stack.service("worker-1").destroyForcibly();
        stack.awaitLine("worker-1 exited unexpectedly", Duration.ofSeconds(30));
        Set<String> accepted = load.answers().get(3, TimeUnit.MINUTES).accepted();

        assertThat(accepted).as("images accepted while the worker was down too").hasSizeGreaterThan(700);
        assertEachHasExactlyOnePrediction(accepted);
    }

    @Test
    @Order(3)
    void theBrokerKilledAndStartedAgainDuringLoadMeans503MeanwhileThenRecoveryAndNoAcceptedImageLost() throws Exception {
        GatewayLoad load = startLoad("e2e-outage", "--rate", "50", "--duration", "3m");
        Thread.sleep(4_000);
        ProcessHandle broker = stack.process().children().filter(EndToEndTest::isBroker).findFirst()
                .orElseThrow(() -> new AssertionError("no broker among the stack's processes"));
        // Abruptly, as a crash or a lost machine would: the restart then recovers its logs too.
        broker.destroyForcibly();
        // Not onExit(): for a process that is not its child, the JVM here can miss the exit.
        awaitTrue(() -> !Ports.accepts(kafkaPort), Duration.ofSeconds(30), () -> "the broker's port to close");
        Thread.sleep(5_000);
        long starting = System.nanoTime();
        restartedBroker = KafkaBroker.start(dataDir.resolve("stack").resolve("kafka"), kafkaPort, controllerPort, Duration.ofMinutes(2));
        System.err.printf("The broker started again in %.1f s%n", (System.nanoTime() - starting) / 1e9);
        Thread.sleep(15_000);
        Answers answers = load.finish();

        assertThat(answers.report().statuses()).as("answers while the broker was down").containsKey(503);
        assertThat(answers.report().statuses().keySet()).as("statuses; the first others: %s", answers.unexpected())
                .containsOnly(202, 503);
        assertThat(answers.acceptedAfterFirst503()).as("images accepted again after the outage, without a restart")
                .isGreaterThan(100);
        assertEachHasExactlyOnePrediction(answers.accepted());
    }

    @Test
    @Order(4)
    void theTrainerKilledMidTrainingResumesFromTheLatestVersionAndReusesNoVersionNumber() throws Exception {
        CompletableFuture<Void> labelling = CompletableFuture.runAsync(() -> label("e2e-train-a", 0, 700));
        awaitModels(versions -> versions.size() >= 3, "two versions from the trainer");
        stack.service("trainer").destroyForcibly();
        stack.awaitLine("trainer exited unexpectedly", Duration.ofSeconds(30));
        List<ModelVersion> before = readModels();
        int highestBefore = ModelHistory.highest(before).getVersion();

        labelling.get(3, TimeUnit.MINUTES);
        label("e2e-train-b", 700, 1000);
        List<ModelVersion> after = awaitModels(versions -> ModelHistory.highest(versions).getVersion() > highestBefore,
                "a version from the restarted trainer");

        Map<Integer, Long> records = after.stream().collect(Collectors.groupingBy(ModelVersion::getVersion, Collectors.counting()));
        assertThat(records).as("records per version number").allSatisfy((version, count) -> assertThat(count).isEqualTo(1L));
        ModelVersion resumed = after.stream().filter(v -> v.getVersion() == highestBefore + 1).findFirst()
                .orElseThrow(() -> new AssertionError("no v" + (highestBefore + 1) + " after the restart: " + ModelHistory.describe(after)));
        assertThat(resumed.getParentVersion()).as("the restarted trainer's first version fine-tunes a published one")
                .isNotNull().isBetween(1, highestBefore);
        assertThat(resumed.getSamplesSeen()).as("samples seen go on counting from v%d", highestBefore)
                .isGreaterThan(ModelHistory.highest(before).getSamplesSeen());
    }

    private void label(String source, int from, int to) {
        GatewayLoad.label(http, stack.gateway(), stack.apiKey(), images.subList(from, to), source + "-", from);
    }

    private List<ModelVersion> awaitModels(Predicate<List<ModelVersion>> done, String what) throws InterruptedException {
        return models().await(done, what);
    }

    private List<ModelVersion> readModels() {
        return models().read();
    }

    private ModelHistory models() {
        return new ModelHistory(KafkaConnection.plaintext(bootstrapServers()), registry);
    }

    private void assertEachHasExactlyOnePrediction(Set<String> accepted) throws InterruptedException {
        new PredictionAudit(KafkaConnection.plaintext(bootstrapServers()), registry).assertEachHasExactlyOnePrediction(accepted, ALL_PREDICTED);
    }

    private Answers load(String source, String... shape) throws Exception {
        return startLoad(source, shape).answers().get(3, TimeUnit.MINUTES);
    }

    private GatewayLoad startLoad(String source, String... shape) {
        return GatewayLoad.start(stack.gateway(), stack.apiKey(), images, source, shape);
    }

    private String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    /** Collects the ids of the predictions of {@code source} the gateway's live stream sends. */
    private CompletableFuture<?> followTheLiveStream(String source, Set<String> ids) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(stack.gateway().resolve("/v1/predictions/stream?source=" + source))
                .header("Authorization", "Bearer " + stack.apiKey()).build();
        CompletableFuture<Void> connected = new CompletableFuture<>();
        CompletableFuture<?> stream = http.sendAsync(request, HttpResponse.BodyHandlers.ofLines()).thenAccept(response -> {
            connected.complete(null);
            response.body().forEach(line -> {
                if (line.startsWith("data: ")) {
                    ids.add(new JsonObject(line.substring("data: ".length())).getString("id"));
                }
            });
        });
        connected.get(10, TimeUnit.SECONDS);
        return stream;
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(stack.gateway().resolve(path)).header("Authorization", "Bearer " + stack.apiKey())
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitTrue(BooleanSupplier condition, Duration timeout, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for %s", what.get()).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** Whether {@code process} runs {@code kafka.Kafka}; read from /proc, as {@link ProcessHandle.Info} cuts long command lines short. */
    private static boolean isBroker(ProcessHandle process) {
        try {
            return Files.readString(Path.of("/proc/" + process.pid() + "/cmdline")).contains("\0kafka.Kafka\0");
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
