package pipeline.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.modelstore.ModelSnapshot;
import pipeline.modelstore.ModelVerifier;
import pipeline.schemas.BadRecords;
import pipeline.schemas.avro.DeadLetter;
import pipeline.schemas.avro.ImageEvent;
import pipeline.schemas.avro.ModelRef;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.avro.Timings;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroDeserializer;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

/**
 * Every kind of record a worker cannot use, written between good images with a plain byte producer:
 * each bad one lands once on {@code images.dlq}, each good one is predicted once, the worker stays
 * ready, and a worker started again in the same group does not meet the bad records again.
 */
@ExtendWith(RealInfrastructure.class)
class BadRecordsOnImagesTest {

    /** Tests share the topic: this class writes to one partition and knows its records by offset. */
    private static final int PARTITION = 5;

    @BeforeAll
    static void topics(TestKafka kafka) throws Exception {
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
        }
    }

    @Test
    void badRecordsGoToTheDeadLettersOnceGoodImagesArePredictedOnceAndARestartMovesOn(TestKafka kafka, TestRegistry registry)
            throws Exception {
        String run = TestKafka.uniqueName("bad");
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()))) {
            List<BufferedImage> pictures = ImageFeed.images(40);
            List<BadRecords.Raw> bad = BadRecords.around(client, "images", run + "-x", event(run + "-x", pictures.getFirst()),
                    prediction(run + "-x"));
            bad.add(BadRecords.absurd("blank id", client, "images", " ", ImageFeed.event(" ", ImageFeed.png(pictures.getFirst())),
                    "INVALID_FIELD"));
            bad.add(BadRecords.absurd("no image bytes", client, "images", run + "-empty", ImageFeed.event(run + "-empty", new byte[0]),
                    "INVALID_FIELD"));
            bad.add(BadRecords.absurd("not an image", client, "images", run + "-text", ImageFeed.event(run + "-text", "text".getBytes()),
                    "UNSUPPORTED_FORMAT"));
            Map<Long, BadRecords.Raw> badAt = new HashMap<>();
            List<String> good = new ArrayList<>();
            Set<Long> written = new HashSet<>();
            try (KafkaProducer<byte[], byte[]> producer = rawProducer(kafka)) {
                for (int i = 0; i < pictures.size(); i++) {
                    String id = run + "-" + i;
                    good.add(id);
                    byte[] value = BadRecords.wire(client, "images", event(id, pictures.get(i)));
                    written.add(send(producer, new BadRecords.Raw("good", id, value, null)));
                    if (i < bad.size()) {
                        badAt.put(send(producer, bad.get(i)), bad.get(i));
                    }
                }
            }
            written.addAll(badAt.keySet());
            String group = TestKafka.uniqueName("bad-workers");

            Outcomes outcomes = runWorkerUntil(kafka, registry, client, group, run, written, o -> o.predictions.size() >= good.size()
                    && o.letters.keySet().containsAll(badAt.keySet()));

            assertThat(outcomes.predictions.keySet()).containsExactlyInAnyOrderElementsOf(good);
            assertThat(outcomes.predictions.values()).as("predictions per image").allSatisfy(n -> assertThat(n).isEqualTo(1));
            assertThat(outcomes.letters.keySet()).containsExactlyInAnyOrderElementsOf(badAt.keySet());
            badAt.forEach((offset, raw) -> {
                List<DeadLetter> letters = outcomes.letters.get(offset);
                assertThat(letters).as("dead letters of %s", raw.kind()).hasSize(1);
                assertThat(letters.getFirst().getErrorCode()).as(raw.kind()).isEqualTo(raw.expectedCode());
                assertThat(letters.getFirst().getMessage()).as(raw.kind()).isNotBlank();
            });
            assertThat(outcomes.failures).as("batch failures while reading the bad records").isEmpty();

            // A worker of the same group starts after the last committed offset: it predicts the one new
            // image and meets no bad record again.
            String last = run + "-after";
            try (KafkaProducer<byte[], byte[]> producer = rawProducer(kafka)) {
                byte[] value = BadRecords.wire(client, "images", event(last, pictures.getFirst()));
                written.add(send(producer, new BadRecords.Raw("good", last, value, null)));
            }
            Outcomes again = runWorkerUntil(kafka, registry, client, group, run, written, o -> o.predictions.containsKey(last));
            // Read from the start, the outputs now hold both workers' work: every record still has one outcome.
            assertThat(again.predictions).as("predictions after the restart").hasSize(good.size() + 1)
                    .allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
            assertThat(again.letters).as("dead letters after the restart").hasSize(badAt.size())
                    .allSatisfy((offset, letters) -> assertThat(letters).as("offset %d", offset).hasSize(1));
        }
    }

    @Test
    void randomBytesAndMutatedImagesGetExactlyOneOutcomeEach(TestKafka kafka, TestRegistry registry) throws Exception {
        String run = TestKafka.uniqueName("noise");
        Random random = new Random(2026_11_30L);
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()))) {
            List<BufferedImage> pictures = ImageFeed.images(20);
            int otherSchemaId = BadRecords.schemaId(BadRecords.wire(client, "predictions", prediction(run)));
            Map<Long, String> keyAt = new HashMap<>();
            List<String> good = new ArrayList<>();
            Set<Long> written = new HashSet<>();
            try (KafkaProducer<byte[], byte[]> producer = rawProducer(kafka)) {
                for (int i = 0; i < 300; i++) {
                    String id = run + "-" + i;
                    byte[] valid = BadRecords.wire(client, "images", event(id, pictures.get(i % pictures.size())));
                    if (i % 15 == 0) {
                        good.add(id);
                        written.add(send(producer, new BadRecords.Raw("good", id, valid, null)));
                    } else {
                        keyAt.put(send(producer, BadRecords.mutant(random, i, id, valid, otherSchemaId)), id);
                    }
                }
            }

            written.addAll(keyAt.keySet());
            Outcomes outcomes = runWorkerUntil(kafka, registry, client, TestKafka.uniqueName("noise-workers"), run, written,
                    o -> good.stream().allMatch(o.predictions::containsKey)
                            && keyAt.entrySet().stream().allMatch(e -> o.letters.containsKey(e.getKey()) || o.predictions.containsKey(e.getValue())));

            assertThat(good).allSatisfy(id -> assertThat(outcomes.predictions.get(id)).as("predictions of %s", id).isEqualTo(1));
            keyAt.forEach((offset, id) -> assertThat(outcomes.letters.getOrDefault(offset, List.of()).size()
                    + outcomes.predictions.getOrDefault(id, 0)).as("outcomes of the noise at offset %d (%s)", offset, id).isEqualTo(1));
            assertThat(outcomes.failures).isEmpty();
            long refused = keyAt.keySet().stream().filter(outcomes.letters::containsKey).count();
            assertThat(refused).as("noise dead-lettered").isGreaterThan(keyAt.size() / 2);
        }
    }

    /** What came out for one run: predictions per image id, dead letters per source offset on {@link #PARTITION}, batch failures seen. */
    private record Outcomes(Map<String, Integer> predictions, Map<Long, List<DeadLetter>> letters, List<String> failures) {
    }

    /**
     * Runs one inference loop of {@code group} (instance id {@code run}) until {@code done} holds (or
     * 90 s), then a second longer to see late duplicates; collects the predictions of ids starting
     * with {@code run} and the dead letters of the records at offsets {@code written} of {@link #PARTITION}
     * (the worker reads the whole topic, other tests' bad records too).
     */
    private static Outcomes runWorkerUntil(TestKafka kafka, TestRegistry registry, SchemaRegistryClient client, String group,
                                           String run, Set<Long> written, Predicate<Outcomes> done) throws Exception {
        ModelSnapshot snapshot = new ModelVerifier().verify(BundledModel.record(1, BundledModel.bytes()), null);
        WorkerSettings settings = new WorkerSettings(kafka.bootstrapServers(), registry.url(), group, run, 16,
                Duration.ofMillis(20), 3, 4096L * 4096, BundledModel.FILE, 1, Duration.ofSeconds(10), Duration.ofSeconds(20),
                "127.0.0.1", 0);
        InferenceLoop loop = new InferenceLoop(settings, client, new AtomicReference<>(snapshot), 0, Metrics.forTest());
        Thread worker = Thread.ofPlatform().name("bad-records-loop").start(loop);
        Outcomes outcomes = new Outcomes(new HashMap<>(), new HashMap<>(), new ArrayList<>());
        AvroDeserializer<Prediction> predictions = AvroDeserializer.forClass(Prediction.class, client);
        AvroDeserializer<DeadLetter> deadLetters = AvroDeserializer.forClass(DeadLetter.class, client);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(kafka.consumerConfig(), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(Set.of("predictions", "images.dlq"));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            long extra = 0;
            while (System.nanoTime() < deadline && (extra == 0 || System.nanoTime() < extra)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals("predictions") && r.key() != null && r.key().startsWith(run)) {
                        outcomes.predictions.merge(predictions.deserialize(r.topic(), r.value()).getImageId(), 1, Integer::sum);
                    } else if (r.topic().equals("images.dlq")) {
                        DeadLetter letter = deadLetters.deserialize(r.topic(), r.value());
                        if (letter.getSourceTopic().equals("images") && letter.getSourcePartition() == PARTITION
                                && written.contains(letter.getSourceOffset()) && letter.getWorker().startsWith(run)) {
                            outcomes.letters.computeIfAbsent(letter.getSourceOffset(), o -> new ArrayList<>()).add(letter);
                        }
                    }
                }
                if (loop.failure() != null) {
                    outcomes.failures.add(loop.failure());
                }
                if (extra == 0 && done.test(outcomes)) {
                    extra = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                }
            }
        } finally {
            loop.stop();
            worker.join(Duration.ofSeconds(30));
        }
        return outcomes;
    }

    private static long send(KafkaProducer<byte[], byte[]> producer, BadRecords.Raw raw) throws Exception {
        return producer.send(raw.to("images", PARTITION)).get().offset();
    }

    private static KafkaProducer<byte[], byte[]> rawProducer(TestKafka kafka) {
        return new KafkaProducer<>(kafka.producerConfig(), new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static ImageEvent event(String id, BufferedImage picture) {
        return ImageFeed.event(id, ImageFeed.png(picture));
    }

    private static Prediction prediction(String id) {
        return Prediction.newBuilder().setImageId(id).setSource("test").setModel(new ModelRef("fashion", 1))
                .setTopK(List.of()).setEmbedding(List.of()).setTimings(new Timings(0L, 0L, 1)).setTimestamp(Instant.now()).build();
    }
}
