package pipeline.schemas.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.schemas.BadRecords;
import pipeline.schemas.SampleRecords;
import pipeline.schemas.avro.ImageEvent;
import pipeline.schemas.avro.InputSpec;
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
import pipeline.schemas.registry.SchemaRegistryException;
import pipeline.schemas.topics.ModelKey;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

/** Every kind of unusable record is refused with its own reason against the real registry; good ones pass; noise never throws. */
@ExtendWith(RealInfrastructure.class)
class RecordIntakeTest {

    @Test
    void everyKindOfBadImageRecordIsRefusedWithItsReason(TestRegistry registry) {
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()))) {
            RecordIntake<ImageEvent> intake = RecordIntake.of(ImageEvent.class, client);
            ImageEvent good = SampleRecords.imageEvent("img-1");
            List<BadRecords.Raw> bad = BadRecords.around(client, "images", "img-1", good, prediction("img-1"));
            bad.add(BadRecords.absurd("blank id", client, "images", " ", SampleRecords.imageEvent(" "), "INVALID_FIELD"));
            ImageEvent noBytes = SampleRecords.imageEvent("img-2");
            noBytes.setImage(ByteBuffer.allocate(0));
            bad.add(BadRecords.absurd("no image bytes", client, "images", "img-2", noBytes, "INVALID_FIELD"));

            for (BadRecords.Raw raw : bad) {
                Intake<ImageEvent> read = intake.read("images", 0, 7, raw.key(), raw.value());
                assertThat(read).as(raw.kind()).isInstanceOfSatisfying(Intake.Refused.class, refused -> {
                    assertThat(refused.refusal().code()).as(raw.kind()).isEqualTo(raw.expectedCode());
                    assertThat(refused.refusal().message()).as(raw.kind()).isNotBlank();
                });
            }
            Intake<ImageEvent> accepted = intake.read("images", 0, 8, "img-1", BadRecords.wire(client, "images", good));

            assertThat(accepted).isEqualTo(new Intake.Accepted<>(good));
        }
    }

    @Test
    void refusalsNameWhatWasWrongAndWhatWasExpected(TestRegistry registry) {
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()))) {
            RecordIntake<LabelledImage> intake = RecordIntake.of(LabelledImage.class, client);
            byte[] prediction = BadRecords.wire(client, "predictions", prediction("img-3"));

            assertThat(message(intake.read("labels", 2, 40, "img-3", null)))
                    .isEqualTo("the record has no value (a tombstone); labels carries LabelledImage records");
            assertThat(message(intake.read("labels", 2, 41, "img-3", prediction)))
                    .isEqualTo("schema id " + BadRecords.schemaId(prediction)
                            + " is record pipeline.schemas.avro.Prediction; labels carries pipeline.schemas.avro.LabelledImage");
            assertThat(message(intake.read("labels", 2, 42, "img-4", BadRecords.wire(client, "labels", labelled("img-3")))))
                    .isEqualTo("the key is 'img-4'; expected the image id 'img-3'");
        }
    }

    @Test
    void aModelVersionWithoutWeightsOrWithANonsenseNumberIsRefused(TestRegistry registry) {
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()))) {
            RecordIntake<ModelVersion> intake = RecordIntake.of(ModelVersion.class, client);
            ModelVersion noWeights = model(3, ByteBuffer.allocate(0));
            ModelVersion negative = model(-2, ByteBuffer.wrap(new byte[] {1}));

            assertThat(message(intake.read("models", 0, 1, "fashion:3", BadRecords.wire(client, "models", noWeights))))
                    .isEqualTo("field 'weights' has no bytes");
            assertThat(message(intake.read("models", 0, 2, "fashion:-2", BadRecords.wire(client, "models", negative))))
                    .startsWith("field 'name and version': model version -2");
            assertThat(intake.read("models", 0, 3, new ModelKey("fashion", 3).toString(),
                    BadRecords.wire(client, "models", model(3, ByteBuffer.wrap(new byte[] {1}))))).isInstanceOf(Intake.Accepted.class);
        }
    }

    @Test
    void noiseAndMutationsAreEachAcceptedOrRefusedAndNeverThrow(TestRegistry registry) {
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()))) {
            RecordIntake<ImageEvent> intake = RecordIntake.of(ImageEvent.class, client);
            byte[] valid = BadRecords.wire(client, "images", SampleRecords.imageEvent("img-5"));
            int otherId = BadRecords.schemaId(BadRecords.wire(client, "predictions", prediction("img-5")));

            long refused = 0;
            for (BadRecords.Raw raw : BadRecords.noise(new Random(23), 2000, "img-5", valid, otherId)) {
                if (intake.read("images", 0, 0, raw.key(), raw.value()) instanceof Intake.Refused<ImageEvent>) {
                    refused++;
                }
            }

            assertThat(refused).as("noise refused").isGreaterThan(1000);
        }
    }

    @Test
    void anUnreachableRegistryIsNotTheRecordsFault(TestRegistry registry) {
        byte[] valid;
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()))) {
            valid = BadRecords.wire(client, "images", SampleRecords.imageEvent("img-6"));
        }
        RegistryClientOptions nowhere = RegistryClientOptions.of("http://127.0.0.1:9").withRetries(1, Duration.ofMillis(1));
        try (SchemaRegistryClient unreachable = new SchemaRegistryClient(nowhere)) {
            RecordIntake<ImageEvent> intake = RecordIntake.of(ImageEvent.class, unreachable);

            assertThatThrownBy(() -> intake.read("images", 0, 0, "img-6", valid)).isInstanceOf(SchemaRegistryException.class);
        }
    }

    @Test
    void whileTheRegistryFailsARecordIsReadAgainFromWhereItWas(TestKafka kafka, TestRegistry registry) throws Exception {
        String topic = TestKafka.uniqueName("intake-retry");
        byte[] valid;
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             Admin admin = kafka.admin();
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerConfig(), new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            valid = BadRecords.wire(client, topic, SampleRecords.imageEvent("img-7"));
            producer.send(new BadRecords.Raw("good", "img-7", valid, null).to(topic, 0)).get();
        }
        RegistryClientOptions nowhere = RegistryClientOptions.of("http://127.0.0.1:9").withRetries(1, Duration.ofMillis(1));
        TopicPartition partition = new TopicPartition(topic, 0);
        try (SchemaRegistryClient unreachable = new SchemaRegistryClient(nowhere);
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(kafka.consumerConfig(), new StringDeserializer(),
                     new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            ConsumerRecords<String, byte[]> polled = ConsumerRecords.empty();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (polled.isEmpty() && System.nanoTime() < deadline) {
                polled = consumer.poll(Duration.ofMillis(200));
            }
            List<Intake<ImageEvent>> handled = new ArrayList<>();

            RecordIntake.of(ImageEvent.class, unreachable).readAll(consumer, polled, (record, read) -> handled.add(read));

            assertThat(polled.count()).isEqualTo(1);
            assertThat(handled).as("nothing handled while the registry fails").isEmpty();
            assertThat(consumer.position(partition)).as("the next poll brings the record again").isZero();
        }
    }

    private static String message(Intake<?> read) {
        assertThat(read).isInstanceOf(Intake.Refused.class);
        return ((Intake.Refused<?>) read).refusal().message();
    }

    private static Prediction prediction(String id) {
        return Prediction.newBuilder().setImageId(id).setSource("camera-7").setModel(new ModelRef("fashion", 1))
                .setTopK(List.of(new ScoredLabel("Sneaker", 0.9f))).setEmbedding(List.of(1f)).setTimings(new Timings(1L, 2L, 1))
                .setTimestamp(Instant.now()).build();
    }

    private static LabelledImage labelled(String id) {
        ImageEvent image = SampleRecords.imageEvent(id);
        return new LabelledImage(id, "upload", "image/png", image.getImage(), "Shirt", LabelOrigin.HUMAN, Instant.now(),
                "defects");
    }

    private static ModelVersion model(int version, ByteBuffer weights) {
        return ModelVersion.newBuilder().setName("fashion").setVersion(version).setArchitecture("lenet5").setWeights(weights)
                .setWeightsSha256("0".repeat(64)).setInput(new InputSpec(1, 28, 28, List.of(0f), List.of(1f), "stretch"))
                .setClassNames(List.of("a", "b")).setCreatedAt(Instant.now()).setStatus(ModelStatus.PROMOTED).build();
    }
}
