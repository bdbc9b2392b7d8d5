package pipeline.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.model.ModelFile;
import pipeline.modelstore.ModelRecords;
import pipeline.schemas.BadRecords;
import pipeline.schemas.avro.DeadLetter;
import pipeline.schemas.avro.Feedback;
import pipeline.schemas.avro.ImageEvent;
import pipeline.schemas.avro.LabelOrigin;
import pipeline.schemas.avro.LabelledImage;
import pipeline.schemas.avro.ModelRef;
import pipeline.schemas.avro.ModelStatus;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.avro.ScoredLabel;
import pipeline.schemas.avro.Timings;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroDeserializer;
import pipeline.schemas.topics.ModelKey;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

/**
 * The trainer's every input with records it cannot use between good ones, written with a plain byte
 * producer against the real broker and registry: the training loop dead-letters bad labels, the
 * feedback topology bad feedback and predictions, the lineage skips bad model records; good records
 * go through once, the trainer stays ready, and a restart does not meet the bad records again.
 */
@ExtendWith(RealInfrastructure.class)
class BadRecordsOnTrainerInputsTest {

    /**
     * One feedback topology for the class: a second application id would join the first test's
     * feedback with its image again, and the training loop would read that label a second time.
     */
    private static final String APPLICATION = TestKafka.uniqueName("bad-inputs-trainer");

    @Test
    void badRecordsAreDeadLetteredOnceGoodOnesGoThroughAndTheTrainerStaysReadyAcrossARestart(TestKafka kafka, TestRegistry registry)
            throws Exception {
        TrainerServiceTest.data(kafka);
        String name = TestKafka.uniqueName("bad-inputs");
        String run = TestKafka.uniqueName("bad");
        TrainerSettings settings = TrainerServiceTest.settings(kafka, registry, name, APPLICATION);
        LabelsSince labelsSince = new LabelsSince(kafka);
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerConfig(), new ByteArraySerializer(),
                     new ByteArraySerializer());
             DeadLetterReader deadLetters = new DeadLetterReader(kafka, client);
             TopicReader<LabelledImage> labels = new TopicReader<>(kafka, client, Topics.LABELS.name(), LabelledImage.class,
                     key -> key.equals(run + "-img"))) {
            Map<String, BadRecords.Raw> bad = new HashMap<>();
            try (TrainerService trainer = TrainerService.start(settings)) {
                await(trainer::ready, "the trainer ready");
                Readiness readiness = new Readiness(trainer);
                List<BadRecords.Raw> badLabels = BadRecords.around(client, Topics.LABELS.name(), run + "-l", label(run + "-l", "Bag"),
                        feedback(run + "-l"));
                badLabels.add(BadRecords.absurd("not a class", client, Topics.LABELS.name(), run + "-c", label(run + "-c", "Spaceship"),
                        "UNKNOWN_LABEL"));
                for (int i = 0; i < badLabels.size(); i++) {
                    send(producer, Topics.LABELS.name(), good(client, Topics.LABELS.name(), run + "-g" + i, label(run + "-g" + i, "Bag")));
                    bad.put(send(producer, Topics.LABELS.name(), badLabels.get(i)), badLabels.get(i));
                }
                for (BadRecords.Raw raw : BadRecords.around(client, Topics.FEEDBACK.name(), run + "-f", feedback(run + "-f"),
                        label(run + "-f", "Bag"))) {
                    bad.put(send(producer, Topics.FEEDBACK.name(), raw), raw);
                }
                for (BadRecords.Raw raw : BadRecords.around(client, Topics.PREDICTIONS.name(), run + "-p", prediction(run + "-p"),
                        feedback(run + "-p"))) {
                    bad.put(send(producer, Topics.PREDICTIONS.name(), raw), raw);
                }
                for (BadRecords.Raw raw : BadRecords.around(client, Topics.MODELS.name(), new ModelKey(name, 7).toString(),
                        modelRecord(name), feedback(run + "-m"))) {
                    if (raw.key() != null) { // the broker itself refuses a keyless record on the compacted topic
                        send(producer, Topics.MODELS.name(), raw);
                    }
                }
                // A good image and its label after all of it: the feedback join still works.
                send(producer, Topics.IMAGES.name(), good(client, Topics.IMAGES.name(), run + "-img", image(run + "-img")));
                send(producer, Topics.FEEDBACK.name(), good(client, Topics.FEEDBACK.name(), run + "-img", feedback(run + "-img")));

                Map<String, List<DeadLetter>> letters = deadLetters.until(bad.keySet(), Duration.ofSeconds(60));
                labels.until(list -> list.stream().anyMatch(l -> l.getImageId().equals(run + "-img")), Duration.ofSeconds(60),
                        "the good feedback joined with its image");
                // Every label since the start but the bad ones: the good labels, the one the feedback topology
                // made of the good feedback, and any other test's feedback it joined.
                int badLabelCount = badLabels.size();
                await(() -> labelsRead(trainer) >= labelsSince.count() - badLabelCount, "the good labels read");
                long expectedLabels = labelsSince.count() - badLabelCount;

                bad.forEach((where, raw) -> {
                    assertThat(letters.get(where)).as("dead letters of %s at %s", raw.kind(), where).hasSize(1);
                    assertThat(letters.get(where).getFirst().getErrorCode()).as(raw.kind()).isEqualTo(raw.expectedCode());
                });
                assertThat(labelsRead(trainer)).as("good labels read, once each").isEqualTo(expectedLabels);
                assertThat(trainer.metrics().scrape()).contains("trainer_models_skipped");
                readiness.assertAlwaysReady();
            }
            try (TrainerService restarted = TrainerService.start(settings)) {
                await(restarted::ready, "the restarted trainer ready");
                Readiness readiness = new Readiness(restarted);
                send(producer, Topics.LABELS.name(), good(client, Topics.LABELS.name(), run + "-last", label(run + "-last", "Bag")));
                await(() -> labelsRead(restarted) >= 1, "the label sent after the restart");
                Thread.sleep(2_000); // time for the topology to meet anything again

                Map<String, List<DeadLetter>> letters = deadLetters.until(bad.keySet(), Duration.ofSeconds(10));
                assertThat(letters).as("each bad record dead-lettered once, not again after the restart")
                        .allSatisfy((where, list) -> assertThat(list).as(where).hasSize(1));
                readiness.assertAlwaysReady();
            }
        }
    }

    @Test
    void randomBytesAndMutatedLabelsGetExactlyOneOutcomeEach(TestKafka kafka, TestRegistry registry) throws Exception {
        TrainerServiceTest.data(kafka);
        String name = TestKafka.uniqueName("noise-inputs");
        String run = TestKafka.uniqueName("noise");
        Random random = new Random(20261130L);
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerConfig(), new ByteArraySerializer(),
                     new ByteArraySerializer());
             DeadLetterReader deadLetters = new DeadLetterReader(kafka, client);
             TrainerService trainer = TrainerService.start(TrainerServiceTest.settings(kafka, registry, name, APPLICATION))) {
            await(trainer::ready, "the trainer ready");
            Readiness readiness = new Readiness(trainer);
            int otherSchemaId = BadRecords.schemaId(BadRecords.wire(client, Topics.FEEDBACK.name(), feedback(run)));
            LabelsSince labelsSince = new LabelsSince(kafka);
            Set<String> sent = new HashSet<>();
            for (int i = 0; i < 300; i++) {
                String id = run + "-" + i;
                byte[] valid = BadRecords.wire(client, Topics.LABELS.name(), label(id, TrainerServiceTest.train, i));
                sent.add(send(producer, Topics.LABELS.name(), i % 15 == 0 ? new BadRecords.Raw("good", id, valid, null)
                        : BadRecords.mutant(random, i, id, valid, otherSchemaId)));
            }

            // Every record on labels since the start (the noise, and any label the topology made meanwhile) has one outcome.
            await(() -> deadLetters.read(sent).size() + labelsRead(trainer) >= labelsSince.count(), "an outcome for every record");
            Thread.sleep(1_000);

            Map<String, List<DeadLetter>> letters = deadLetters.read(sent);
            assertThat(letters.values()).as("dead letters per record").allSatisfy(list -> assertThat(list).hasSize(1));
            assertThat(letters.size() + labelsRead(trainer)).as("dead-lettered plus read").isEqualTo(labelsSince.count());
            assertThat(letters.size()).as("noise dead-lettered").isGreaterThan(sent.size() / 2);
            readiness.assertAlwaysReady();
        }
    }

    /** Counts the committed records on {@code labels} after the end offsets it saw when made. */
    private static final class LabelsSince {
        private final TestKafka kafka;
        private final Map<TopicPartition, Long> start;

        LabelsSince(TestKafka kafka) {
            this.kafka = kafka;
            try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
                start = consumer.endOffsets(partitions(consumer));
            }
        }

        long count() {
            try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
                List<TopicPartition> partitions = partitions(consumer);
                consumer.assign(partitions);
                start.forEach(consumer::seek);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                long count = 0;
                while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                    count += consumer.poll(Duration.ofMillis(200)).count();
                }
                return count;
            }
        }

        private KafkaConsumer<byte[], byte[]> consumer() {
            return new KafkaConsumer<>(kafka.consumerConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }

        private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) {
            return consumer.partitionsFor(Topics.LABELS.name()).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        }
    }

    /** Samples {@code ready()} on its own thread; every sample must be true. */
    private static final class Readiness {
        private final List<Boolean> samples = Collections.synchronizedList(new ArrayList<>());
        private final Thread sampler;

        Readiness(TrainerService trainer) {
            sampler = Thread.ofVirtual().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    samples.add(trainer.ready());
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        void assertAlwaysReady() throws InterruptedException {
            sampler.interrupt();
            sampler.join();
            assertThat(samples).as("ready throughout").isNotEmpty().containsOnly(true);
        }
    }

    /** Dead letters on {@code images.dlq} by where their record was ({@code topic-partition@offset}). */
    private static final class DeadLetterReader implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final AvroDeserializer<DeadLetter> values;
        private final Map<String, List<DeadLetter>> byPlace = new HashMap<>();

        DeadLetterReader(TestKafka kafka, SchemaRegistryClient client) {
            consumer = new KafkaConsumer<>(kafka.consumerConfig(), new StringDeserializer(), new ByteArrayDeserializer());
            consumer.subscribe(Set.of(Topics.IMAGES_DLQ.name()));
            values = AvroDeserializer.forClass(DeadLetter.class, client);
        }

        /** Reads what is there now (a second of polling), then the letters of {@code places}. */
        Map<String, List<DeadLetter>> read(Set<String> places) {
            long end = System.nanoTime() + Duration.ofMillis(500).toNanos();
            while (System.nanoTime() < end) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    DeadLetter letter = values.deserialize(r.topic(), r.value());
                    byPlace.computeIfAbsent(place(letter.getSourceTopic(), letter.getSourcePartition(), letter.getSourceOffset()),
                            p -> new ArrayList<>()).add(letter);
                }
            }
            Map<String, List<DeadLetter>> found = new HashMap<>(byPlace);
            found.keySet().retainAll(places);
            return found;
        }

        Map<String, List<DeadLetter>> until(Set<String> places, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            Map<String, List<DeadLetter>> found = read(places);
            while (!found.keySet().containsAll(places) && System.nanoTime() < deadline) {
                found = read(places);
            }
            return found;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    private static String place(String topic, int partition, long offset) {
        return topic + "-" + partition + "@" + offset;
    }

    private static String send(KafkaProducer<byte[], byte[]> producer, String topic, BadRecords.Raw raw) throws Exception {
        var sent = producer.send(raw.to(topic)).get();
        return place(topic, sent.partition(), sent.offset());
    }

    private static BadRecords.Raw good(SchemaRegistryClient client, String topic, String key,
                                       SpecificRecord value) {
        return new BadRecords.Raw("good", key, BadRecords.wire(client, topic, value), null);
    }

    /** Labels read as new by the training loop (training and held-out sides). */
    static long labelsRead(TrainerService trainer) {
        return trainer.metrics().scrape().lines().filter(l -> l.startsWith("trainer_labels_total"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for: %s", what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static LabelledImage label(String id, String label) {
        return label(id, TrainerServiceTest.train, 0, label);
    }

    private static LabelledImage label(String id, Dataset data, int index) {
        return label(id, data, index, data.classNames().get(data.labels()[index]));
    }

    private static LabelledImage label(String id, Dataset data, int index, String label) {
        return LabelledImage.newBuilder().setImageId(id).setSource("test").setContentType("image/png")
                .setImage(ByteBuffer.wrap(LabelledFeed.png(data.picture(index)))).setLabel(label).setOrigin(LabelOrigin.DATASET)
                .setTimestamp(Instant.now()).build();
    }

    private static Feedback feedback(String id) {
        return Feedback.newBuilder().setImageId(id).setLabel("Bag").setOrigin(LabelOrigin.CORRECTION).setTimestamp(Instant.now()).build();
    }

    private static ImageEvent image(String id) {
        return ImageEvent.newBuilder().setId(id).setSource("test").setTimestamp(Instant.now()).setContentType("image/png")
                .setImage(ByteBuffer.wrap(LabelledFeed.png(TrainerServiceTest.train.picture(1)))).build();
    }

    private static Prediction prediction(String id) {
        return Prediction.newBuilder().setImageId(id).setSource("test").setModel(new ModelRef("fashion", 1))
                .setTopK(List.of(new ScoredLabel("Bag", 0.9f))).setEmbedding(List.of(1f)).setTimings(new Timings(1L, 1L, 1))
                .setTimestamp(Instant.now()).build();
    }

    private static ModelVersion modelRecord(String name) throws Exception {
        return ModelRecords.of(ModelFile.read(TrainerServiceTest.BUNDLED), Files.readAllBytes(TrainerServiceTest.BUNDLED), name, 7,
                ModelStatus.REJECTED);
    }
}
