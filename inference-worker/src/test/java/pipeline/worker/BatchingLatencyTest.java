package pipeline.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.modelstore.ModelVerifier;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroDeserializer;
import pipeline.schemas.topics.ConsumerGroups;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

/**
 * Batching as a client sees it, through each prediction's own timings: with a long max-delay, a
 * lone image waits about that long and no more, and a burst of max-batch images does not wait.
 */
@ExtendWith(RealInfrastructure.class)
class BatchingLatencyTest {

    static final Duration MAX_DELAY = Duration.ofMillis(1500);
    static final int MAX_BATCH = 16;

    @Test
    void aLoneImageWaitsMaxDelayAndAFullBatchDoesNotWait(TestKafka kafka, TestRegistry registry) throws Exception {
        String group = TestKafka.uniqueName("latency");
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
            // Other tests in this JVM leave a backlog on images, which a new group would batch with ours.
            ConsumerGroups.startAtEnd(admin, group, Topics.IMAGES.name());
        }
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(kafka.consumerConfig(), new StringDeserializer(),
                     new ByteArrayDeserializer())) {
            reader.subscribe(Set.of("predictions"));
            AvroDeserializer<Prediction> predictions = AvroDeserializer.forClass(Prediction.class, client);
            WorkerSettings settings = new WorkerSettings(kafka.bootstrapServers(), registry.url(), group,
                    "latency-worker", MAX_BATCH, MAX_DELAY, 1, 4096L * 4096, BundledModel.FILE, 1, Duration.ofSeconds(10),
                    Duration.ofSeconds(20), "127.0.0.1", 0);
            InferenceLoop loop = new InferenceLoop(settings, client,
                    new AtomicReference<>(new ModelVerifier().verify(BundledModel.record(1, BundledModel.bytes()), null)), 0,
                    Metrics.forTest());
            Thread worker = Thread.ofPlatform().name("latency-loop").start(loop);
            List<BufferedImage> images = ImageFeed.images(MAX_BATCH);
            // Once one prediction came back, the worker owns its partitions: later timings measure batching only.
            String warmUp = TestKafka.uniqueName("warm-up");
            ImageFeed.stream(kafka, client, warmUp, images.subList(0, 1), Duration.ZERO);
            await(reader, predictions, warmUp, 1);

            String lone = TestKafka.uniqueName("lone");
            ImageFeed.stream(kafka, client, lone, images.subList(0, 1), Duration.ZERO);
            List<Prediction> loneAnswer = await(reader, predictions, lone, 1);

            String burst = TestKafka.uniqueName("burst");
            ImageFeed.stream(kafka, client, burst, images, Duration.ZERO);
            List<Prediction> burstAnswers = await(reader, predictions, burst, MAX_BATCH);
            loop.stop();
            worker.join(Duration.ofSeconds(30));

            long loneQueued = loneAnswer.getFirst().getTimings().getQueuedMillis();
            assertThat(loneQueued).as("a lone image waits out max-delay").isGreaterThanOrEqualTo(MAX_DELAY.toMillis() - 50);
            assertThat(loneQueued).as("and not much longer").isLessThan(MAX_DELAY.toMillis() + 1000);
            assertThat(loneAnswer.getFirst().getTimings().getBatchSize()).isEqualTo(1);
            assertThat(burstAnswers).allSatisfy(p -> {
                assertThat(p.getTimings().getQueuedMillis()).as("a full batch does not wait for max-delay")
                        .isLessThan(MAX_DELAY.toMillis() / 2);
                assertThat(p.getTimings().getBatchSize()).isEqualTo(MAX_BATCH);
            });
        }
    }

    private static List<Prediction> await(KafkaConsumer<String, byte[]> reader, AvroDeserializer<Prediction> predictions,
                                          String run, int count) {
        List<Prediction> found = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (found.size() < count && System.nanoTime() < deadline) {
            reader.poll(Duration.ofMillis(100)).forEach(r -> {
                Prediction p = predictions.deserialize(r.topic(), r.value());
                if (p.getImageId().startsWith(run + "-")) {
                    found.add(p);
                }
            });
        }
        assertThat(found).as("predictions of %s", run).hasSize(count);
        return found;
    }
}
