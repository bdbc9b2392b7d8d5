package pipeline.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import pipeline.infra.ChildProcess;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

/**
 * Worker processes stopping mid-stream, outright (SIGKILL) or gracefully (SIGTERM): another instance
 * takes over, and every image ends with exactly one prediction.
 */
@ExtendWith(RealInfrastructure.class)
class WorkerStopTest {

    static final int IMAGES = 300;

    /** The workers' logs; kept when a test fails, for the post-mortem. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private final String group = TestKafka.uniqueName("stop-workers");
    private final String run = TestKafka.uniqueName("stop");
    private SchemaRegistryClient client;
    private ChildProcess first;
    private ChildProcess second;

    @BeforeEach
    void topicsAndRegistry(TestKafka kafka, TestRegistry registry) throws Exception {
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
        }
        client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
    }

    @AfterEach
    void stopWorkers() {
        for (ChildProcess worker : new ChildProcess[] {first, second}) {
            if (worker != null) {
                worker.stop(Duration.ofSeconds(10));
            }
        }
        client.close();
    }

    @Test
    void killedMidStreamThenReplacedEveryImageHasExactlyOnePrediction(TestKafka kafka, TestRegistry registry) throws Exception {
        try (PredictionReader reader = new PredictionReader(kafka, client, run)) {
            first = startWorker(kafka, registry, "crash-a", "6s");
            CompletableFuture<Void> stream = streamImages(kafka);
            reader.until(60);
            first.stop(Duration.ZERO);
            int predictedBeforeTheKill = reader.counts().size();

            second = startWorker(kafka, registry, "crash-b", "6s");
            stream.join();
            reader.until(IMAGES);
            reader.during(Duration.ofSeconds(2));

            assertThat(predictedBeforeTheKill).as("the kill came in the middle of the stream").isLessThan(IMAGES);
            assertExactlyOnce(kafka, reader.counts());
        }
    }

    @Test
    void sigtermFinishesTheBatchCommitsAndLeavesTheGroupSoTheNextWorkerStartsAtOnce(TestKafka kafka, TestRegistry registry)
            throws Exception {
        try (PredictionReader reader = new PredictionReader(kafka, client, run)) {
            // A long session timeout: had the first worker not left the group, the second would wait it out.
            first = startWorker(kafka, registry, "graceful-a", "45s");
            CompletableFuture<Void> stream = streamImages(kafka);
            reader.until(60);
            first.stop(Duration.ofSeconds(20));
            int predictedBeforeTheStop = reader.counts().size();
            assertThat(first.isAlive()).as("stopped within 20 s of SIGTERM").isFalse();

            long start = System.nanoTime();
            second = startWorker(kafka, registry, "graceful-b", "45s");
            reader.until(predictedBeforeTheStop + 1);
            Duration takeover = Duration.ofNanos(System.nanoTime() - start);
            stream.join();
            reader.until(IMAGES);
            reader.during(Duration.ofSeconds(2));

            assertThat(predictedBeforeTheStop).as("stopped in the middle of the stream").isLessThan(IMAGES);
            assertThat(takeover).as("the next worker took over without waiting for a session timeout").isLessThan(Duration.ofSeconds(20));
            assertExactlyOnce(kafka, reader.counts());
        }
    }

    /** Images of this run, 5 ms apart like a camera, from a thread of their own. */
    private CompletableFuture<Void> streamImages(TestKafka kafka) throws Exception {
        return ImageFeed.streamInBackground(kafka, client, run, ImageFeed.images(IMAGES), Duration.ofMillis(5));
    }

    private void assertExactlyOnce(TestKafka kafka, Map<String, Integer> counts) throws Exception {
        assertThat(counts).as("images with a prediction; %s", whereTheMissingAre(kafka, counts)).hasSize(IMAGES);
        assertThat(counts.values()).as("predictions per image").allSatisfy(count -> assertThat(count).isEqualTo(1));
    }

    /**
     * For a failure's post-mortem: each image of the run without a prediction, where it is on
     * {@code images} and whether it is on {@code images.dlq}, beside the group's committed offsets.
     */
    private String whereTheMissingAre(TestKafka kafka, Map<String, Integer> counts) throws Exception {
        Set<String> missing = new TreeSet<>();
        for (int i = 0; i < IMAGES; i++) {
            if (!counts.containsKey(run + "-" + i)) {
                missing.add(run + "-" + i);
            }
        }
        if (missing.isEmpty()) {
            return "none missing";
        }
        StringBuilder found = new StringBuilder("missing " + missing + ":");
        for (String topic : List.of(Topics.IMAGES.name(), Topics.IMAGES_DLQ.name())) {
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(kafka.consumerConfig(), new StringDeserializer(),
                    new ByteArrayDeserializer())) {
                List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                c.assign(partitions);
                c.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = c.endOffsets(partitions);
                while (partitions.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                    c.poll(Duration.ofMillis(200)).forEach(r -> {
                        if (r.key() != null && missing.contains(r.key())) {
                            found.append(' ').append(r.key()).append(" at ").append(r.topic()).append('-').append(r.partition())
                                    .append('@').append(r.offset());
                        }
                    });
                }
            }
        }
        try (Admin admin = kafka.admin()) {
            Map<String, Long> committed = new TreeMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
                    .forEach((partition, offset) -> committed.put(partition.toString(), offset.offset()));
            found.append("; committed ").append(committed);
        }
        return found.toString();
    }

    private ChildProcess startWorker(TestKafka kafka, TestRegistry registry, String instance, String sessionTimeout) {
        return ChildProcess.start("inference worker " + instance,
                List.of(ChildProcess.javaExecutable(), "--add-modules", "jdk.incubator.vector",
                        "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=pipeline.schemas.avro",
                        "-cp", ChildProcess.absoluteClassPath(), WorkerMain.class.getName()),
                dir, dir.resolve(instance + ".log"),
                Map.of("PIPELINE_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                        "PIPELINE_REGISTRY_URL", registry.url(),
                        "PIPELINE_WORKER_GROUP_ID", group,
                        "PIPELINE_WORKER_INSTANCE_ID", instance,
                        "PIPELINE_WORKER_MAX_BATCH", "8",
                        "PIPELINE_WORKER_MODEL_FILE", BundledModel.FILE.toAbsolutePath().toString(),
                        "PIPELINE_WORKER_SESSION_TIMEOUT", sessionTimeout,
                        "PIPELINE_WORKER_TRANSACTION_TIMEOUT", "8s",
                        "PIPELINE_WORKER_HTTP_PORT", "0"));
    }
}
