package pipeline.trainer;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BiConsumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;
import pipeline.schemas.avro.DeadLetter;
import pipeline.schemas.avro.Feedback;
import pipeline.schemas.avro.ImageEvent;
import pipeline.schemas.avro.LabelledImage;
import pipeline.schemas.avro.ModelAccuracy;
import pipeline.schemas.avro.ModelRef;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.intake.RecordIntake;
import pipeline.schemas.intake.Refusal;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroSerde;
import pipeline.schemas.topics.ModelKey;
import pipeline.schemas.topics.Topics;

/**
 * The feedback loop, as a Kafka Streams topology of two joins.
 *
 * <ol>
 *   <li>{@code feedback} (image id → label) joined with {@code images} on the image id, the image
 *       at most {@code window} before or after its label, gives {@code labels}: the image's bytes
 *       with the label. A label whose image is not seen within the window (an unknown id, or one
 *       too old) goes to {@code images.dlq} as {@code UNKNOWN_IMAGE} once the window has passed.</li>
 *   <li>{@code predictions} joined with {@code labels} (within the same window) counts, per model
 *       version and per {@code accuracyWindow} of time (the time a prediction met its label),
 *       predictions and correct ones; each update goes to {@code model-accuracy}, keyed
 *       {@code name:version}. A window takes late pairs for as long as the join window.</li>
 * </ol>
 *
 * When one cluster serves several models, each model's trainer runs this topology for its own
 * {@link LabelScope}: corrections for its model joined with its images topic, and its model's predictions
 * scored; the rest is left to the other models' trainers.
 *
 * {@code feedback} and {@code labels} have fewer partitions than {@code images} and
 * {@code predictions}; they are repartitioned by image id to match, as joins need. Every source is
 * read through {@link SourceIntake}: a tombstone or foreign record never stops the stream thread.
 */
public final class FeedbackTopology {

    /** The {@code worker} field of dead letters the topology writes. */
    static final String SERVICE = "trainer-feedback";

    private FeedbackTopology() {
    }

    /**
     * @param scope   the model whose corrections and predictions are taken, and its images topic
     * @param refused told of every source record the topology cannot use (topic, why): those on
     *                {@code feedback} and {@code predictions} go to {@code images.dlq}; those on
     *                {@code images} and {@code labels} are skipped here, as the worker and the training
     *                loop dead-letter them
     */
    public static Topology build(SchemaRegistryClient registry, LabelScope scope, Duration window, Duration accuracyWindow,
                                 BiConsumer<String, Refusal> refused) {
        Serde<String> keys = Serdes.String();
        AvroSerde<ImageEvent> images = AvroSerde.forValues(ImageEvent.class, registry);
        AvroSerde<Feedback> feedback = AvroSerde.forValues(Feedback.class, registry);
        AvroSerde<LabelledImage> labelled = AvroSerde.forValues(LabelledImage.class, registry);
        AvroSerde<Prediction> predictions = AvroSerde.forValues(Prediction.class, registry);
        AvroSerde<ModelAccuracy> accuracy = AvroSerde.forValues(ModelAccuracy.class, registry);
        AvroSerde<DeadLetter> deadLetters = AvroSerde.forValues(DeadLetter.class, registry);
        int partitions = Topics.IMAGES.partitions();
        JoinWindows within = JoinWindows.ofTimeDifferenceWithNoGrace(window);

        StreamsBuilder builder = new StreamsBuilder();
        Sources sources = new Sources(builder, registry, refused, deadLetters);
        KStream<String, ImageEvent> imageStream = sources.read(scope.imagesTopic(), ImageEvent.class, false);
        KStream<String, Feedback> corrections = sources.read(Topics.FEEDBACK.name(), Feedback.class, true)
                .filter((id, label) -> scope.takes(label.getModel()), Named.as("feedback-of-model"))
                .repartition(Repartitioned.<String, Feedback>as("feedback-by-image").withKeySerde(keys).withValueSerde(feedback)
                        .withNumberOfPartitions(partitions));
        KStream<String, LabelledOrNot> joined = corrections.leftJoin(imageStream, LabelledOrNot::of, within,
                StreamJoined.<String, Feedback, ImageEvent>with(keys, feedback, images).withStoreName("feedback-images"));
        joined.filter((id, result) -> result.labelled() != null).mapValues(LabelledOrNot::labelled)
                .to(Topics.LABELS.name(), Produced.with(keys, labelled));
        joined.filter((id, result) -> result.labelled() == null)
                .mapValues((id, result) -> unknownImage(id, result.feedback(), scope.imagesTopic(), window, feedback))
                .to(Topics.IMAGES_DLQ.name(), Produced.with(keys, deadLetters));

        KStream<String, String> trueLabels = sources.read(Topics.LABELS.name(), LabelledImage.class, false)
                .mapValues(LabelledImage::getLabel)
                .repartition(Repartitioned.<String, String>as("labels-by-image").withKeySerde(keys).withValueSerde(keys)
                        .withNumberOfPartitions(partitions));
        sources.read(Topics.PREDICTIONS.name(), Prediction.class, true)
                .filter((id, prediction) -> scope.scores(prediction.getModel().getName()), Named.as("predictions-of-model"))
                .join(trueLabels, FeedbackTopology::scored, within,
                        StreamJoined.<String, Prediction, String>with(keys, predictions, keys).withStoreName("predictions-labels"))
                .groupBy((id, one) -> new ModelKey(one.getModel().getName(), one.getModel().getVersion()).toString(),
                        Grouped.with("by-model", keys, accuracy))
                // Labels come late: a window stays open as long as a label may still meet its prediction.
                .windowedBy(TimeWindows.ofSizeAndGrace(accuracyWindow, window))
                .reduce(FeedbackTopology::sum, Materialized.<String, ModelAccuracy, WindowStore<Bytes, byte[]>>as("accuracy-windows")
                        .withKeySerde(keys).withValueSerde(accuracy))
                .toStream()
                .map((windowed, total) -> KeyValue.pair(windowed.key(), ModelAccuracy.newBuilder(total)
                        .setWindowStart(windowed.window().startTime()).setWindowEnd(windowed.window().endTime()).build()))
                .to(Topics.MODEL_ACCURACY.name(), Produced.with(keys, accuracy));
        return builder.build();
    }

    /** The source topics, each read through {@link SourceIntake}; refused records a topic answers for go to {@code images.dlq}. */
    private record Sources(StreamsBuilder builder, SchemaRegistryClient registry, BiConsumer<String, Refusal> refused,
                           AvroSerde<DeadLetter> deadLetters) {

        <T extends SpecificRecord> KStream<String, T> read(String topic, Class<T> type, boolean deadLetter) {
            RecordIntake<T> intake = RecordIntake.of(type, registry);
            KStream<String, SourceIntake.Taken<T>> taken = builder.stream(topic, Consumed.with(Serdes.String(), Serdes.ByteArray()))
                    .processValues(() -> new SourceIntake<>(intake, deadLetter, refused), Named.as(topic + "-intake"));
            taken.filter((key, one) -> one.deadLetter() != null, Named.as(topic + "-refused"))
                    .mapValues(SourceIntake.Taken::deadLetter)
                    .to(Topics.IMAGES_DLQ.name(), Produced.with(Serdes.String(), deadLetters));
            return taken.filter((key, one) -> one.value() != null, Named.as(topic + "-accepted")).mapValues(SourceIntake.Taken::value);
        }
    }

    /** A label with its image, or alone when the image was not found within the window. */
    record LabelledOrNot(Feedback feedback, LabelledImage labelled) {

        static LabelledOrNot of(Feedback label, ImageEvent image) {
            if (image == null) {
                return new LabelledOrNot(label, null);
            }
            return new LabelledOrNot(label, LabelledImage.newBuilder()
                    .setImageId(label.getImageId())
                    .setSource(image.getSource())
                    .setContentType(image.getContentType())
                    .setImage(image.getImage())
                    .setLabel(label.getLabel())
                    .setOrigin(label.getOrigin())
                    .setTimestamp(label.getTimestamp())
                    .setModel(label.getModel())
                    .build());
        }
    }

    /** One prediction with its true label, as a count of one for its model version. */
    private static ModelAccuracy scored(Prediction prediction, String label) {
        boolean right = !prediction.getTopK().isEmpty() && prediction.getTopK().getFirst().getLabel().equals(label);
        return ModelAccuracy.newBuilder()
                .setModel(new ModelRef(prediction.getModel().getName(), prediction.getModel().getVersion()))
                .setWindowStart(Instant.EPOCH)
                .setWindowEnd(Instant.EPOCH)
                .setPredictions(1)
                .setCorrect(right ? 1 : 0)
                .setAccuracy(right ? 1 : 0)
                .build();
    }

    private static ModelAccuracy sum(ModelAccuracy a, ModelAccuracy b) {
        long predictions = a.getPredictions() + b.getPredictions();
        long correct = a.getCorrect() + b.getCorrect();
        return ModelAccuracy.newBuilder(a).setPredictions(predictions).setCorrect(correct)
                .setAccuracy((double) correct / predictions).build();
    }

    private static DeadLetter unknownImage(String id, Feedback label, String imagesTopic, Duration window, AvroSerde<Feedback> feedback) {
        return DeadLetter.newBuilder()
                .setKey(id)
                .setValue(ByteBuffer.wrap(feedback.serializer().serialize(Topics.FEEDBACK.name(), label)))
                .setSourceTopic(Topics.FEEDBACK.name())
                .setSourcePartition(-1)
                .setSourceOffset(-1)
                .setErrorCode("UNKNOWN_IMAGE")
                .setMessage("label '" + label.getLabel() + "' is for image '" + id + "', which was not on " + imagesTopic
                        + " within " + window.toMinutes() + " min of the label: an unknown id, or an image too old to label")
                .setWorker(SERVICE)
                .setTimestamp(Instant.now())
                .build();
    }
}
