package pipeline.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.images.DecodedImage;
import pipeline.modelstore.ModelSnapshot;
import pipeline.modelstore.ModelVerifier;
import pipeline.schemas.avro.DeadLetter;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroDeserializer;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

/** Real broker, registry, engine and bundled model: N images in, N predictions out, poison pills to the DLQ. */
@ExtendWith(RealInfrastructure.class)
class InferenceLoopTest {

    static final int GOOD = 120;

    @Test
    void everyImageGetsExactlyOnePredictionAndPoisonPillsGoToTheDlq(TestKafka kafka, TestRegistry registry) throws Exception {
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
        }
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()))) {
            ModelSnapshot snapshot = new ModelVerifier().verify(BundledModel.record(1, BundledModel.bytes()), null);
            // Other tests in this JVM share the topics: only ids of this run count.
            String run = TestKafka.uniqueName("loop");
            List<BufferedImage> images = ImageFeed.images(GOOD);
            Map<String, String> expectedLabel = new HashMap<>();
            Predictor.BatchPrediction direct = new Predictor(1).predict(snapshot, images.stream().map(DecodedImage.Picture::new).toList());
            for (int i = 0; i < GOOD; i++) {
                expectedLabel.put(run + "-" + i, direct.images().get(i).topK().getFirst().label());
            }
            produce(kafka, client, run, images);

            WorkerSettings settings = new WorkerSettings(kafka.bootstrapServers(), registry.url(), TestKafka.uniqueName("workers"),
                    "test-worker", 16, Duration.ofMillis(20), 3, 4096L * 4096, BundledModel.FILE, 1, Duration.ofSeconds(10),
                    Duration.ofSeconds(20), "127.0.0.1", 0);
            InferenceLoop loop = new InferenceLoop(settings, client, new AtomicReference<>(snapshot), 0, Metrics.forTest());
            Thread worker = Thread.ofPlatform().name("inference-loop").start(loop);

            Map<String, List<Prediction>> predictions = new HashMap<>();
            List<DeadLetter> deadLetters = new ArrayList<>();
            consume(kafka, client, run, predictions, deadLetters);
            loop.stop();
            worker.join(Duration.ofSeconds(30));

            assertThat(predictions).hasSize(GOOD);
            assertThat(predictions.values()).allSatisfy(list -> assertThat(list).hasSize(1));
            predictions.forEach((id, list) -> {
                Prediction p = list.getFirst();
                assertThat(p.getTopK()).hasSize(3);
                assertThat(p.getTopK().getFirst().getLabel()).as("top label of %s", id).isEqualTo(expectedLabel.get(id));
                assertThat(p.getModel().getVersion()).isEqualTo(1);
                assertThat(p.getTimings().getBatchSize()).isBetween(1, 16);
                assertThat(p.getEmbedding()).hasSize(84);
            });
            assertThat(deadLetters).extracting(DeadLetter::getErrorCode)
                    .containsExactlyInAnyOrder("NOT_WIRE_FORMAT", "UNSUPPORTED_FORMAT", "IMAGE_TOO_LARGE");
            assertThat(deadLetters).allSatisfy(d -> {
                assertThat(d.getSourceTopic()).isEqualTo("images");
                assertThat(d.getWorker()).isEqualTo("test-worker-0");
                assertThat(d.getValue()).isNotNull();
            });
            assertThat(worker.isAlive()).as("worker stopped").isFalse();
        }
    }

    private static void produce(TestKafka kafka, SchemaRegistryClient client, String run, List<BufferedImage> images) throws Exception {
        try (KafkaProducer<String, SpecificRecord> avro = ImageFeed.producer(kafka, client);
             KafkaProducer<String, byte[]> raw = new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < images.size(); i++) {
                avro.send(new ProducerRecord<>("images", run + "-" + i, ImageFeed.event(run + "-" + i, ImageFeed.png(images.get(i)))));
                if (i == 40) {
                    raw.send(new ProducerRecord<>("images", run + "-not-avro", "{\"id\": \"json is not Avro\"}".getBytes())).get();
                    avro.send(new ProducerRecord<>("images", run + "-not-an-image", ImageFeed.event(run + "-not-an-image", "hello".getBytes())));
                    avro.send(new ProducerRecord<>("images", run + "-bomb", ImageFeed.event(run + "-bomb", bomb())));
                }
            }
            avro.flush();
        }
    }

    /** Reads both outputs as a downstream reader would (read_committed) until everything arrived or 90 s passed. */
    private static void consume(TestKafka kafka, SchemaRegistryClient client, String run,
                                Map<String, List<Prediction>> predictions, List<DeadLetter> deadLetters) {
        AvroDeserializer<Prediction> asPrediction = AvroDeserializer.forClass(Prediction.class, client);
        AvroDeserializer<DeadLetter> asDeadLetter = AvroDeserializer.forClass(DeadLetter.class, client);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(kafka.consumerConfig(), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(Set.of("predictions", "images.dlq"));
            Consumer<ConsumerRecord<String, byte[]>> collect = r -> {
                if (r.key() == null || !r.key().startsWith(run + "-")) {
                    return;
                }
                if (r.topic().equals("predictions")) {
                    Prediction p = asPrediction.deserialize(r.topic(), r.value());
                    predictions.computeIfAbsent(p.getImageId(), k -> new ArrayList<>()).add(p);
                } else {
                    deadLetters.add(asDeadLetter.deserialize(r.topic(), r.value()));
                }
            };
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while ((predictions.size() < GOOD || deadLetters.size() < 3) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(collect);
            }
            // A second longer, so a duplicate arriving late would still be seen.
            consumer.poll(Duration.ofSeconds(1)).forEach(collect);
        }
    }

    /** A 1×1 PNG whose header declares 100000×100000 pixels. */
    private static byte[] bomb() throws Exception {
        byte[] png = ImageFeed.png(new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY));
        ByteBuffer.wrap(png).putInt(16, 100_000).putInt(20, 100_000);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17);
        ByteBuffer.wrap(png).putInt(29, (int) crc.getValue());
        return png;
    }
}
