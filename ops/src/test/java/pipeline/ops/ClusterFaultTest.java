package pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import pipeline.gateway.GatewayMain;
import pipeline.infra.ApicurioRegistry;
import pipeline.infra.KafkaCluster;
import pipeline.infra.Ports;
import pipeline.ops.GatewayLoad.Answers;
import pipeline.ops.load.LoadImages;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.Topics;
import pipeline.trainer.TrainerMain;
import pipeline.worker.WorkerMain;

/**
 * Faults on a real cluster under load: three KRaft nodes on loopback (every partition on all three,
 * two in sync for a write, {@code acks=all}), a persistent registry, the gateway and the workers as
 * processes of their own, images sent through the gateway all along. After each fault, every image
 * the gateway accepted (202) has exactly one prediction, counted with {@code read_committed}; how long
 * the gateway took no image and how long until every accepted image was predicted are reported (in
 * the test's output and {@code target/cluster-faults.md}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultTest {

    private static final Path MODEL = Path.of("../models/fashion-lenet5.model").toAbsolutePath();
    private static final Duration NODE_START = Duration.ofMinutes(2);
    private static final Path REPORT = Path.of("target/cluster-faults.md");

    private Path dir;
    private KafkaCluster cluster;
    private ApicurioRegistry registry;
    private int registryPort;
    private int registryManagementPort;
    private SchemaRegistryClient client;
    private TestServices services;
    private TestServices.Service gateway;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Map<String, String> common;
    private ApiKey key;
    private List<LoadImages.Image> images;

    @BeforeAll
    void startTheClusterAndServices(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        this.dir = dir;
        cluster = KafkaCluster.start(dir.resolve("kafka"), 3, NODE_START);
        registryPort = Ports.anyFree();
        registryManagementPort = Ports.anyFree();
        startRegistry();
        client = new SchemaRegistryClient(RegistryClientOptions.of(registry.confluentUrl()));
        common = Map.of("PIPELINE_KAFKA_BOOTSTRAP_SERVERS", cluster.bootstrapServers(), "PIPELINE_REGISTRY_URL", registry.confluentUrl());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int provisioned = PipelineCommand.run(new String[] {"provision"}, TestServices.with(common, Map.of(
                "PIPELINE_PROVISION_REPLICATION_FACTOR", "3", "PIPELINE_PROVISION_MODEL_FILE", MODEL.toString())),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(provisioned).as("provision: %s", out).isZero();

        key = ApiKey.generate();
        services = new TestServices(dir);
        gateway = services.start("gateway", GatewayMain.class, TestServices.with(common, Map.of(
                "PIPELINE_GATEWAY_API_KEYS", key.gatewaySetting(), "PIPELINE_GATEWAY_RATE_PER_KEY", "10000",
                "PIPELINE_GATEWAY_BURST_PER_KEY", "10000", "PIPELINE_GATEWAY_REQUEST_TIMEOUT", "5s")));
        worker(1).awaitReady();
        gateway.awaitReady();
        images = LoadImages.fromIdx(EndToEndTest.SAMPLE, 1000);
        Files.createDirectories(REPORT.getParent());
        Files.writeString(REPORT, "| fault | images accepted | longest without an acceptance | all predicted after the load | statuses |\n"
                + "| --- | ---: | ---: | ---: | --- |\n");
    }

    @AfterAll
    void stopEverything() throws IOException {
        if (services != null) {
            services.close();
        }
        if (client != null) {
            client.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (Files.exists(REPORT)) {
            System.err.println(Files.readString(REPORT));
        }
    }

    @Test
    @Order(1)
    void theLeaderOfAnImagesPartitionKilledAndLaterRestarted() throws Exception {
        GatewayLoad load = load("fault-leader");
        Thread.sleep(4_000);
        int leader = leaderOfImagesPartition(0);
        cluster.kill(leader);
        Thread.sleep(8_000);
        cluster.restart(leader, NODE_START);
        Thread.sleep(4_000);

        audit("leader of images-0 (node " + leader + ") SIGKILLed, restarted after 8 s", load.finish());
    }

    @Test
    @Order(2)
    void aRollingRestartOfAllThreeNodes() throws Exception {
        GatewayLoad load = load("fault-rolling");
        for (int node = 1; node <= cluster.size(); node++) {
            Thread.sleep(2_000);
            cluster.stop(node);
            cluster.restart(node, NODE_START);
            awaitEveryReplicaInSync();
        }
        Thread.sleep(2_000);

        audit("rolling restart of the three nodes, each back in sync before the next", load.finish());
    }

    @Test
    @Order(3)
    void theRegistryKilledAndRestartedWhileCachedIdsKeepTheFlowGoing() throws Exception {
        GatewayLoad load = load("fault-registry");
        Thread.sleep(3_000);
        registry.kill();
        Thread.sleep(8_000);
        startRegistry();
        Thread.sleep(3_000);
        Answers answers = load.finish();

        assertThat(answers.longestGap()).as("images taken while the registry was down, on the ids the services cached")
                .isLessThan(Duration.ofSeconds(4));
        audit("schema registry SIGKILLed, restarted after 8 s", answers);
    }

    @Test
    @Order(4)
    void workersScaledFromOneToFourAndBackToOne() throws Exception {
        GatewayLoad load = load("fault-scale");
        Thread.sleep(3_000);
        List<TestServices.Service> added = new ArrayList<>();
        for (int i = 2; i <= 4; i++) {
            added.add(worker(i));
        }
        for (TestServices.Service worker : added) {
            worker.awaitReady();
        }
        Thread.sleep(5_000);
        for (TestServices.Service worker : added) {
            worker.process().stop(Duration.ofSeconds(30));
        }
        Thread.sleep(4_000);

        audit("inference workers scaled 1 → 4 → 1", load.finish());
    }

    @Test
    @Order(5)
    void aStandbyTrainerTakesOverWhenTheActiveOneIsKilledAndVersionNumbersGoOn() throws Exception {
        Map<String, String> trainer = TestServices.with(common, Map.of("PIPELINE_TRAINER_MODEL_NAME", "fashion-lenet5",
                "PIPELINE_TRAINER_COLD_START", MODEL.toString(), "PIPELINE_TRAINER_ROUND_LABELS", "60",
                "PIPELINE_TRAINER_ROUND_INTERVAL", "3s", "PIPELINE_TRAINER_ROUND_STEPS", "20", "PIPELINE_TRAINER_MIN_HELD_OUT", "5"));
        TestServices.Service active = services.start("trainer-1", TrainerMain.class, TestServices.with(trainer,
                Map.of("PIPELINE_TRAINER_STATE_DIR", dir.resolve("trainer-1").toString())));
        active.awaitReady();
        TestServices.Service standby = services.start("trainer-2", TrainerMain.class, TestServices.with(trainer,
                Map.of("PIPELINE_TRAINER_STATE_DIR", dir.resolve("trainer-2").toString())));
        ModelHistory models = new ModelHistory(KafkaConnection.plaintext(cluster.bootstrapServers()), client);
        GatewayLoad.label(http, gateway.http(), key.value(), images.subList(0, 300), "standby-", 0);
        models.await(versions -> versions.size() >= 3, "two versions from the active trainer");
        assertThat(standby.process().isAlive() && !standby.spec().ready()).as("the second trainer stands by").isTrue();
        assertThat(get(standby.http().resolve("/health"))).as("a standby's /health").isEqualTo("200 UP\n");
        assertThat(get(standby.http().resolve("/ready"))).as("a standby's /ready")
                .startsWith("503 standing by: another trainer of fashion-lenet5 is active (group trainer-active-fashion-lenet5)");
        assertThat(get(standby.http().resolve("/metrics"))).contains("trainer_active 0");
        assertThat(get(active.http().resolve("/metrics"))).contains("trainer_active 1");

        active.process().kill();
        long killed = System.nanoTime();
        standby.awaitReady();
        Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
        int highestBefore = ModelHistory.highest(models.read()).getVersion();
        GatewayLoad.label(http, gateway.http(), key.value(), images.subList(300, 600), "standby-", 300);
        List<ModelVersion> after = models.await(versions -> ModelHistory.highest(versions).getVersion() > highestBefore,
                "a version from the trainer that took over");

        List<Integer> numbers = after.stream().map(ModelVersion::getVersion).sorted().toList();
        assertThat(numbers).as("version numbers, once each and without a gap: %s", ModelHistory.describe(after))
                .isEqualTo(IntStream.rangeClosed(1, numbers.size()).boxed().toList());
        Files.writeString(REPORT, String.format(Locale.ROOT, "| active trainer SIGKILLed, the standby took over | – | %.1f s to ready |"
                + " – | v%d → v%d |%n", takeover.toMillis() / 1000.0, highestBefore, numbers.getLast()), StandardOpenOption.APPEND);
    }

    /** The status and body of a GET, as {@code "200 UP\n"}. */
    private String get(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    private TestServices.Service worker(int number) {
        return services.start("worker-" + number, WorkerMain.class, TestServices.with(common, Map.of(
                "PIPELINE_WORKER_INSTANCE_ID", "cluster-worker-" + number, "PIPELINE_WORKER_MODEL_FILE", MODEL.toString())));
    }

    private GatewayLoad load(String source) {
        return GatewayLoad.start(gateway.http(), key.value(), images, source, "--rate", "30", "--duration", "5m");
    }

    /** Every accepted image has one prediction; records the fault's line in the report. */
    private void audit(String fault, Answers answers) throws Exception {
        assertThat(answers.report().statuses().keySet()).as("statuses; the first others: %s", answers.unexpected())
                .containsAnyOf(202).isSubsetOf(202, 503);
        assertThat(answers.accepted()).as("images accepted during the fault").hasSizeGreaterThan(100);
        Duration predicted = new PredictionAudit(KafkaConnection.plaintext(cluster.bootstrapServers()), client)
                .assertEachHasExactlyOnePrediction(answers.accepted(), Duration.ofMinutes(2));
        Files.writeString(REPORT, String.format(Locale.ROOT, "| %s | %d | %.1f s | %.1f s | %s |%n", fault, answers.accepted().size(),
                answers.longestGap().toMillis() / 1000.0, predicted.toMillis() / 1000.0, answers.report().statuses()),
                StandardOpenOption.APPEND);
    }

    private int leaderOfImagesPartition(int partition) throws Exception {
        try (Admin admin = admin()) {
            TopicDescription images = admin.describeTopics(List.of(Topics.IMAGES.name())).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(Topics.IMAGES.name());
            return images.partitions().get(partition).leader().id();
        }
    }

    /** Waits until every partition of every topic has all three replicas in sync again. */
    private void awaitEveryReplicaInSync() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        try (Admin admin = admin()) {
            while (true) {
                List<String> lagging = new ArrayList<>();
                for (TopicDescription topic : admin.describeTopics(admin.listTopics().names().get(30, TimeUnit.SECONDS)).allTopicNames()
                        .get(30, TimeUnit.SECONDS).values()) {
                    for (TopicPartitionInfo p : topic.partitions()) {
                        if (p.isr().size() < p.replicas().size()) {
                            lagging.add(topic.name() + "-" + p.partition());
                        }
                    }
                }
                if (lagging.isEmpty()) {
                    return;
                }
                assertThat(System.nanoTime()).as("replicas back in sync; still behind: %s", lagging).isLessThan(deadline);
                Thread.sleep(500);
            }
        }
    }

    private Admin admin() {
        return Admin.create(KafkaConnection.plaintext(cluster.bootstrapServers()).clientConfig());
    }

    private void startRegistry() {
        registry = ApicurioRegistry.start(ApicurioRegistry.defaultHome(), dir.resolve("registry"), true, registryPort,
                registryManagementPort, NODE_START);
    }
}
