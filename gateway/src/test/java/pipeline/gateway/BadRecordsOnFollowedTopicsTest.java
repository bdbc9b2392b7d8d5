package pipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import pipeline.schemas.BadRecords;
import pipeline.schemas.avro.Feedback;
import pipeline.schemas.avro.InputSpec;
import pipeline.schemas.avro.LabelOrigin;
import pipeline.schemas.avro.ModelAccuracy;
import pipeline.schemas.avro.ModelRef;
import pipeline.schemas.avro.ModelStatus;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.avro.ScoredLabel;
import pipeline.schemas.avro.Timings;
import pipeline.schemas.avro.TrainingMetrics;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.ModelKey;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

/**
 * The gateway follows {@code models}, {@code predictions}, {@code model-accuracy} and
 * {@code training-metrics}: every kind of bad record on them, written with a plain byte producer, is
 * skipped and counted, and the good records around them each arrive once.
 */
@ExtendWith(RealInfrastructure.class)
class BadRecordsOnFollowedTopicsTest {

    /** A followed topic, and how to make its good record number {@code n} of a run (key and value). */
    record Followed(String topic, Function<String, SpecificRecord> good, Function<SpecificRecord, String> key) {
        @Override
        public String toString() {
            return topic;
        }
    }

    static Stream<Followed> followed() {
        return Stream.of(
                new Followed(Topics.MODELS.name(), BadRecordsOnFollowedTopicsTest::model,
                        v -> new ModelKey(((ModelVersion) v).getName(), ((ModelVersion) v).getVersion()).toString()),
                new Followed(Topics.PREDICTIONS.name(), BadRecordsOnFollowedTopicsTest::prediction, v -> ((Prediction) v).getImageId()),
                new Followed(Topics.MODEL_ACCURACY.name(), BadRecordsOnFollowedTopicsTest::accuracy,
                        v -> new ModelKey(((ModelAccuracy) v).getModel().getName(), ((ModelAccuracy) v).getModel().getVersion()).toString()),
                new Followed(Topics.TRAINING_METRICS.name(), BadRecordsOnFollowedTopicsTest::metrics,
                        v -> ((TrainingMetrics) v).getModel().getName()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("followed")
    void badRecordsAreSkippedAndCountedAndGoodOnesArriveOnce(Followed followed, TestKafka kafka, TestRegistry registry) throws Exception {
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
        }
        String run = TestKafka.uniqueName("followed");
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerConfig(), new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            SpecificRecord first = followed.good().apply(run + "-1");
            SpecificRecord last = followed.good().apply(run + "-2");
            List<BadRecords.Raw> bad = BadRecords.around(client, followed.topic(), followed.key().apply(first), first,
                    Feedback.newBuilder().setImageId(run).setLabel("Bag").setOrigin(LabelOrigin.HUMAN).setTimestamp(Instant.now()).build());
            // The broker itself refuses a keyless record on the compacted models topic.
            bad.removeIf(raw -> raw.key() == null && followed.topic().equals(Topics.MODELS.name()));
            send(producer, client, followed, first);
            for (BadRecords.Raw raw : bad) {
                producer.send(raw.to(followed.topic(), 0)).get();
            }
            send(producer, client, followed, last);

            List<SpecificRecord> seen = new CopyOnWriteArrayList<>();
            try (TopicFeed<SpecificRecord> feed = feed(kafka, client, followed, seen)) {
                Thread thread = Thread.ofPlatform().name("followed-" + followed.topic()).start(feed);
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!seen.contains(last) && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                Thread.sleep(500);

                assertThat(seen.stream().filter(v -> v.equals(first) || v.equals(last)).toList()).as("good records, once each")
                        .containsExactly(first, last);
                assertThat(feed.skipped()).as("bad records skipped (other tests' too: the feed reads from the start)")
                        .isGreaterThanOrEqualTo(bad.size());
                assertThat(thread.isAlive()).as("the follower goes on").isTrue();
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static TopicFeed<SpecificRecord> feed(TestKafka kafka, SchemaRegistryClient client, Followed followed, List<SpecificRecord> seen) {
        Class<SpecificRecord> type = (Class) followed.good().apply("x-1").getClass();
        return new TopicFeed<>(KafkaConnection.plaintext(kafka.bootstrapServers()), client, followed.topic(), type, seen::add);
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, SchemaRegistryClient client, Followed followed, SpecificRecord value)
            throws Exception {
        producer.send(new BadRecords.Raw("good", followed.key().apply(value), BadRecords.wire(client, followed.topic(), value), null)
                .to(followed.topic(), 0)).get();
    }

    /** {@code <run>-<n>}: the run names the model, n its version. */
    private static ModelRef ref(String runAndNumber) {
        int dash = runAndNumber.lastIndexOf('-');
        return new ModelRef(runAndNumber.substring(0, dash), Integer.parseInt(runAndNumber.substring(dash + 1)));
    }

    private static SpecificRecord model(String runAndNumber) {
        ModelRef ref = ref(runAndNumber);
        return ModelVersion.newBuilder().setName(ref.getName()).setVersion(ref.getVersion()).setArchitecture("lenet5")
                .setWeights(ByteBuffer.wrap(new byte[] {1})).setWeightsSha256("0".repeat(64))
                .setInput(new InputSpec(1, 28, 28, List.of(0f), List.of(1f), "stretch")).setClassNames(List.of("a", "b"))
                .setCreatedAt(Instant.now()).setStatus(ModelStatus.CANDIDATE).build();
    }

    private static SpecificRecord prediction(String id) {
        return Prediction.newBuilder().setImageId(id).setSource("test").setModel(new ModelRef("fashion", 1))
                .setTopK(List.of(new ScoredLabel("Bag", 0.9f))).setEmbedding(List.of(1f)).setTimings(new Timings(1L, 1L, 1))
                .setTimestamp(Instant.now()).build();
    }

    private static SpecificRecord accuracy(String runAndNumber) {
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        return new ModelAccuracy(ref(runAndNumber), now.minusSeconds(60), now, 10L, 9L, 0.9);
    }

    private static SpecificRecord metrics(String runAndNumber) {
        return new TrainingMetrics(ref(runAndNumber), 0.4, 0.9, 200, 1000L, 10L, Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    }
}
