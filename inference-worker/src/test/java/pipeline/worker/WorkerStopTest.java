package pipeline.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import pipeline.infra.ChildProcess;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroDeserializer;
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

    @TempDir
    Path dir;

    private ChildProcess first;
    private ChildProcess second;

    @AfterEach
    void stopWorkers() {
        for (ChildProcess worker : new ChildProcess[] {first, second}) {
            if (worker != null) {
                worker.stop(Duration.ofSeconds(10));
            }
        }
    }

    @Test
    void killedMidStreamThenReplacedEveryImageHasExactlyOnePrediction(TestKafka kafka, TestRegistry registry) throws Exception {
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
        }
        String group = TestKafka.uniqueName("crash-workers");
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(kafka.consumerConfig(), new StringDeserializer(),
                     new ByteArrayDeserializer())) {
            AvroDeserializer<Prediction> predictions = AvroDeserializer.forClass(Prediction.class, client);
            reader.subscribe(Set.of("predictions"));
            Map<String, Integer> seen = new HashMap<>();
            // Other tests in this JVM share the topics: only ids of this run count.
            String run = TestKafka.uniqueName("crash");
            List<BufferedImage> images = ImageFeed.images(IMAGES);
            first = startWorker(kafka, registry, group, "crash-a", "6s");
            Thread stream = Thread.ofPlatform().name("camera").start(() -> ImageFeed.stream(kafka, client, run, images, Duration.ofMillis(5)));

            collectUntil(reader, predictions, run, seen, 60);
            first.stop(Duration.ZERO);
            int predictedBeforeTheKill = seen.size();

            second = startWorker(kafka, registry, group, "crash-b", "6s");
            stream.join();
            collectUntil(reader, predictions, run, seen, IMAGES);
            collectFor(reader, predictions, run, seen, Duration.ofSeconds(2));

            assertThat(predictedBeforeTheKill).as("the kill came in the middle of the stream").isLessThan(IMAGES);
            assertThat(seen).as("images with a prediction").hasSize(IMAGES);
            assertThat(seen.values()).as("predictions per image").allSatisfy(count -> assertThat(count).isEqualTo(1));
        }
    }

    @Test
    void sigtermFinishesTheBatchCommitsAndLeavesTheGroupSoTheNextWorkerStartsAtOnce(TestKafka kafka, TestRegistry registry)
            throws Exception {
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
        }
        String group = TestKafka.uniqueName("graceful-workers");
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(kafka.consumerConfig(), new StringDeserializer(),
                     new ByteArrayDeserializer())) {
            AvroDeserializer<Prediction> predictions = AvroDeserializer.forClass(Prediction.class, client);
            reader.subscribe(Set.of("predictions"));
            Map<String, Integer> seen = new HashMap<>();
            String run = TestKafka.uniqueName("graceful");
            List<BufferedImage> images = ImageFeed.images(IMAGES);
            // A long session timeout: had the first worker not left the group, the second would wait it out.
            first = startWorker(kafka, registry, group, "graceful-a", "45s");
            Thread stream = Thread.ofPlatform().name("camera").start(() -> ImageFeed.stream(kafka, client, run, images, Duration.ofMillis(5)));

            collectUntil(reader, predictions, run, seen, 60);
            first.stop(Duration.ofSeconds(20));
            int predictedBeforeTheStop = seen.size();
            assertThat(first.isAlive()).as("stopped within 20 s of SIGTERM").isFalse();

            long start = System.nanoTime();
            second = startWorker(kafka, registry, group, "graceful-b", "45s");
            collectUntil(reader, predictions, run, seen, predictedBeforeTheStop + 1);
            Duration takeover = Duration.ofNanos(System.nanoTime() - start);
            stream.join();
            collectUntil(reader, predictions, run, seen, IMAGES);
            collectFor(reader, predictions, run, seen, Duration.ofSeconds(2));

            assertThat(predictedBeforeTheStop).as("stopped in the middle of the stream").isLessThan(IMAGES);
            assertThat(takeover).as("the next worker took over without waiting for a session timeout").isLessThan(Duration.ofSeconds(20));
            assertThat(seen).hasSize(IMAGES);
            assertThat(seen.values()).allSatisfy(count -> assertThat(count).isEqualTo(1));
        }
    }

    private ChildProcess startWorker(TestKafka kafka, TestRegistry registry, String group, String instance, String sessionTimeout) {
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

    private static void collectUntil(KafkaConsumer<String, byte[]> reader, AvroDeserializer<Prediction> predictions,
                                     String run, Map<String, Integer> seen, int distinct) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (seen.size() < distinct && System.nanoTime() < deadline) {
            collect(reader, predictions, run, seen);
        }
    }

    private static void collectFor(KafkaConsumer<String, byte[]> reader, AvroDeserializer<Prediction> predictions,
                                   String run, Map<String, Integer> seen, Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < deadline) {
            collect(reader, predictions, run, seen);
        }
    }

    /** Counts this run's predictions per image id. */
    private static void collect(KafkaConsumer<String, byte[]> reader, AvroDeserializer<Prediction> predictions,
                                String run, Map<String, Integer> seen) {
        reader.poll(Duration.ofMillis(200)).forEach(r -> {
            Prediction p = predictions.deserialize(r.topic(), r.value());
            if (p.getImageId().startsWith(run + "-")) {
                seen.merge(p.getImageId(), 1, Integer::sum);
            }
        });
    }
}
