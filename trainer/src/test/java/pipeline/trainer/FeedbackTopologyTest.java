package pipeline.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.schemas.BadRecords;
import pipeline.schemas.avro.DeadLetter;
import pipeline.schemas.avro.Feedback;
import pipeline.schemas.avro.ImageEvent;
import pipeline.schemas.avro.LabelOrigin;
import pipeline.schemas.avro.LabelledImage;
import pipeline.schemas.avro.ModelAccuracy;
import pipeline.schemas.avro.ModelRef;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.avro.ScoredLabel;
import pipeline.schemas.avro.Timings;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroSerde;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestRegistry;

/** The feedback loop's two joins and the windowed accuracy, driven record by record (the serdes use the real registry). */
@ExtendWith(RealInfrastructure.class)
class FeedbackTopologyTest {

    private static final Duration WINDOW = Duration.ofMinutes(30);
    private static final Duration ACCURACY_WINDOW = Duration.ofMinutes(5);
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    private final List<String> refused = new ArrayList<>();
    private SchemaRegistryClient registry;
    private TopologyTestDriver driver;
    private TestInputTopic<String, ImageEvent> images;
    private TestInputTopic<String, Feedback> feedback;
    private TestInputTopic<String, Prediction> predictions;
    private TestInputTopic<String, LabelledImage> labelsIn;
    private TestOutputTopic<String, LabelledImage> labels;
    private TestOutputTopic<String, DeadLetter> deadLetters;
    private TestOutputTopic<String, ModelAccuracy> accuracy;

    @BeforeEach
    void start(TestRegistry testRegistry) {
        registry = new SchemaRegistryClient(RegistryClientOptions.of(testRegistry.url()));
        drive(new LabelScope("fashion", Topics.IMAGES.name()));
    }

    /** A driver of the topology of the trainer of {@code scope}'s model, with the topics the tests use. */
    private void drive(LabelScope scope) {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "feedback-topology-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(FeedbackTopology.build(registry, scope, WINDOW, ACCURACY_WINDOW,
                (topic, refusal) -> refused.add(topic + " " + refusal.code())), config, T0);
        var keys = Serdes.String();
        images = driver.createInputTopic(scope.imagesTopic(), keys.serializer(), AvroSerde.forValues(ImageEvent.class, registry).serializer());
        feedback = driver.createInputTopic(Topics.FEEDBACK.name(), keys.serializer(), AvroSerde.forValues(Feedback.class, registry).serializer());
        predictions = driver.createInputTopic(Topics.PREDICTIONS.name(), keys.serializer(),
                AvroSerde.forValues(Prediction.class, registry).serializer());
        AvroSerde<LabelledImage> labelled = AvroSerde.forValues(LabelledImage.class, registry);
        labelsIn = driver.createInputTopic(Topics.LABELS.name(), keys.serializer(), labelled.serializer());
        labels = driver.createOutputTopic(Topics.LABELS.name(), keys.deserializer(), labelled.deserializer());
        deadLetters = driver.createOutputTopic(Topics.IMAGES_DLQ.name(), keys.deserializer(),
                AvroSerde.forValues(DeadLetter.class, registry).deserializer());
        accuracy = driver.createOutputTopic(Topics.MODEL_ACCURACY.name(), keys.deserializer(),
                AvroSerde.forValues(ModelAccuracy.class, registry).deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
        registry.close();
    }

    @Test
    void aCorrectionForAnImageSentEarlierBecomesALabelWithThatImagesBytes() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
        images.pipeInput("img-1", image("img-1", png), T0);
        feedback.pipeInput("img-1", label("img-1", "Sneaker"), T0.plus(Duration.ofMinutes(10)));

        List<KeyValue<String, LabelledImage>> out = labels.readKeyValuesToList();

        assertThat(out).hasSize(1);
        LabelledImage labelled = out.getFirst().value;
        assertThat(out.getFirst().key).isEqualTo("img-1");
        assertThat(labelled.getLabel()).isEqualTo("Sneaker");
        assertThat(labelled.getSource()).isEqualTo("camera-3");
        assertThat(labelled.getOrigin()).isEqualTo(LabelOrigin.CORRECTION);
        assertThat(bytes(labelled.getImage())).isEqualTo(png);
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void aLabelForAnUnknownOrExpiredIdGoesToTheDeadLettersOnceTheWindowHasPassed() {
        images.pipeInput("old", image("old", new byte[] {1}), T0);
        feedback.pipeInput("nobody", label("nobody", "Bag"), T0.plus(Duration.ofMinutes(1)));
        assertThat(deadLetters.isEmpty()).as("no verdict while an image may still come").isTrue();
        feedback.pipeInput("old", label("old", "Bag"), T0.plus(WINDOW).plus(Duration.ofMinutes(5)));

        // Time moves on past both labels' windows.
        images.pipeInput("later", image("later", new byte[] {2}), T0.plus(WINDOW.multipliedBy(3)));

        Map<String, DeadLetter> letters = deadLetters.readKeyValuesToMap();
        assertThat(letters).containsOnlyKeys("nobody", "old");
        assertThat(letters.get("nobody").getErrorCode()).isEqualTo("UNKNOWN_IMAGE");
        assertThat(letters.get("nobody").getSourceTopic()).isEqualTo(Topics.FEEDBACK.name());
        assertThat(letters.get("nobody").getMessage()).contains("'nobody'").contains("Bag").contains("30 min");
        assertThat(labels.isEmpty()).as("no label without its image").isTrue();
    }

    @Test
    void theTrainerOfAModelOnItsOwnImagesTopicTakesOnlyThatModelsCorrectionsAndPredictions() {
        driver.close();
        drive(new LabelScope("defects", "images.defects"));
        assertThatThrownBy(() -> driver.createInputTopic(Topics.IMAGES.name(), Serdes.String().serializer(), Serdes.String().serializer())
                .pipeInput("shoe-1", "an image", T0)).as("the fashion model's images are not read").hasMessageContaining("Unknown topic");
        images.pipeInput("part-1", image("part-1", new byte[] {7}), T0);
        Feedback scratch = label("part-1", "Scratch");
        scratch.setModel("defects");
        feedback.pipeInput("part-1", scratch, T0.plusSeconds(5));
        feedback.pipeInput("shoe-1", label("shoe-1", "Sneaker"), T0.plusSeconds(5));
        predictions.pipeInput("part-1", prediction("part-1", "defects", 1, "Scratch", T0), T0);
        predict("shoe-1", 1, "Sneaker", T0);
        labelsIn.pipeInput("shoe-1", labelled("shoe-1", "Sneaker"), T0.plusSeconds(6));
        labelsIn.pipeInput("part-1", labelled("part-1", "Scratch"), T0.plusSeconds(6));
        // Time moves on past every label's window: a label left unjoined would now be a dead letter.
        images.pipeInput("later", image("later", new byte[] {9}), T0.plus(WINDOW.multipliedBy(3)));

        List<KeyValue<String, LabelledImage>> out = labels.readKeyValuesToList();
        assertThat(out).extracting(kv -> kv.key, kv -> kv.value.getLabel(), kv -> kv.value.getModel())
                .containsExactly(tuple("part-1", "Scratch", "defects"));
        assertThat(accuracy.readKeyValuesToList()).extracting(kv -> kv.key).isNotEmpty().containsOnly("defects:1");
        assertThat(deadLetters.isEmpty()).as("the fashion model's correction is its own trainer's to judge").isTrue();
    }

    @Test
    void accuracyIsCountedPerModelVersionAndTimeWindow() {
        // v1 gets 3 of 4 right in the first window; v2 gets 2 of 2; v1 then 0 of 1 in the next window.
        predict("a", 1, "Sneaker", T0);
        predict("b", 1, "Bag", T0.plusSeconds(10));
        predict("c", 1, "Coat", T0.plusSeconds(20));
        predict("d", 1, "Shirt", T0.plusSeconds(30));
        predict("e", 2, "Dress", T0.plusSeconds(40));
        predict("f", 2, "Trouser", T0.plusSeconds(50));
        predict("g", 1, "Bag", T0.plus(ACCURACY_WINDOW).plusSeconds(10));
        Map<String, String> truth = Map.of("a", "Sneaker", "b", "Bag", "c", "Coat", "d", "Pullover", "e", "Dress", "f", "Trouser",
                "g", "Sandal");
        truth.forEach((id, label) -> labelsIn.pipeInput(id, labelled(id, label), T0.plusSeconds(60)));

        List<KeyValue<String, ModelAccuracy>> updates = accuracy.readKeyValuesToList();

        ModelAccuracy v1First = last(updates, "fashion:1", T0);
        assertThat(v1First.getPredictions()).isEqualTo(4);
        assertThat(v1First.getCorrect()).isEqualTo(3);
        assertThat(v1First.getAccuracy()).isEqualTo(0.75);
        assertThat(v1First.getWindowEnd()).isEqualTo(T0.plus(ACCURACY_WINDOW));
        ModelAccuracy v2 = last(updates, "fashion:2", T0);
        assertThat(v2.getPredictions()).isEqualTo(2);
        assertThat(v2.getAccuracy()).isEqualTo(1.0);
        ModelAccuracy v1Second = last(updates, "fashion:1", T0.plus(ACCURACY_WINDOW));
        assertThat(v1Second.getPredictions()).isEqualTo(1);
        assertThat(v1Second.getCorrect()).isZero();
    }

    @Test
    void badRecordsOnFeedbackAndPredictionsAreDeadLetteredAndOnImagesAndLabelsSkippedAndTheTopologyGoesOn() {
        TestInputTopic<byte[], byte[]> rawFeedback = raw(Topics.FEEDBACK.name());
        TestInputTopic<byte[], byte[]> rawPredictions = raw(Topics.PREDICTIONS.name());
        TestInputTopic<byte[], byte[]> rawImages = raw(Topics.IMAGES.name());
        TestInputTopic<byte[], byte[]> rawLabels = raw(Topics.LABELS.name());
        List<BadRecords.Raw> badFeedback = BadRecords.around(registry, Topics.FEEDBACK.name(), "img-1", label("img-1", "Bag"),
                labelled("img-1", "Bag"));
        List<BadRecords.Raw> badPredictions = BadRecords.around(registry, Topics.PREDICTIONS.name(), "img-1",
                prediction("img-1", "fashion", 1, "Bag", T0), label("img-1", "Bag"));
        List<BadRecords.Raw> badImages = BadRecords.around(registry, Topics.IMAGES.name(), "img-1", image("img-1", new byte[] {1}),
                label("img-1", "Bag"));
        List<BadRecords.Raw> badLabels = BadRecords.around(registry, Topics.LABELS.name(), "img-1", labelled("img-1", "Bag"),
                label("img-1", "Bag"));

        images.pipeInput("img-1", image("img-1", new byte[] {1}), T0);
        badFeedback.forEach(bad -> pipe(rawFeedback, bad));
        badPredictions.forEach(bad -> pipe(rawPredictions, bad));
        badImages.forEach(bad -> pipe(rawImages, bad));
        badLabels.forEach(bad -> pipe(rawLabels, bad));
        feedback.pipeInput("img-1", label("img-1", "Bag"), T0.plusSeconds(1));
        predict("img-1", 1, "Bag", T0.plusSeconds(2));

        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertThat(letters).extracting(DeadLetter::getSourceTopic, DeadLetter::getErrorCode)
                .containsExactlyInAnyOrderElementsOf(Stream.concat(
                        badFeedback.stream().map(b -> tuple(Topics.FEEDBACK.name(), b.expectedCode())),
                        badPredictions.stream().map(b -> tuple(Topics.PREDICTIONS.name(), b.expectedCode())))
                        .toList());
        assertThat(letters).extracting(d -> d.getSourceTopic() + "@" + d.getSourceOffset()).doesNotHaveDuplicates();
        assertThat(refused).hasSize(badFeedback.size() + badPredictions.size() + badImages.size() + badLabels.size());
        assertThat(labels.readValuesToList()).as("the good label after the bad records").extracting(LabelledImage::getLabel)
                .containsExactly("Bag");
        assertThat(accuracy.readValuesToList()).as("the good prediction met its label").isNotEmpty();
    }

    private TestInputTopic<byte[], byte[]> raw(String topic) {
        return driver.createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void pipe(TestInputTopic<byte[], byte[]> topic, BadRecords.Raw bad) {
        ProducerRecord<byte[], byte[]> record = bad.to("unused", 0);
        topic.pipeInput(new TestRecord<>(record.key(), record.value(), record.headers(), T0));
    }

    private static ModelAccuracy last(List<KeyValue<String, ModelAccuracy>> updates, String key, Instant windowStart) {
        return updates.stream().filter(u -> u.key.equals(key) && u.value.getWindowStart().equals(windowStart))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no accuracy for " + key + " from " + windowStart
                        + " in " + updates)).value;
    }

    private void predict(String id, int version, String topLabel, Instant at) {
        predictions.pipeInput(id, prediction(id, "fashion", version, topLabel, at), at);
    }

    private static Prediction prediction(String id, String model, int version, String topLabel, Instant at) {
        return Prediction.newBuilder().setImageId(id).setSource("camera-3")
                .setModel(new ModelRef(model, version)).setTopK(List.of(new ScoredLabel(topLabel, 0.9f)))
                .setEmbedding(List.of(1f)).setTimings(new Timings(1L, 1L, 1)).setTimestamp(at).setAttributes(Map.of()).build();
    }

    private static ImageEvent image(String id, byte[] bytes) {
        return ImageEvent.newBuilder().setId(id).setSource("camera-3").setTimestamp(T0).setContentType("image/png")
                .setImage(ByteBuffer.wrap(bytes)).build();
    }

    private static Feedback label(String id, String label) {
        return Feedback.newBuilder().setImageId(id).setLabel(label).setOrigin(LabelOrigin.CORRECTION).setTimestamp(T0).build();
    }

    private static LabelledImage labelled(String id, String label) {
        return LabelledImage.newBuilder().setImageId(id).setSource("upload").setContentType("image/png")
                .setImage(ByteBuffer.wrap(new byte[] {1})).setLabel(label).setOrigin(LabelOrigin.CORRECTION).setTimestamp(T0).build();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
