package pipeline.schemas.topics;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import pipeline.schemas.avro.DeadLetter;
import pipeline.schemas.avro.Feedback;
import pipeline.schemas.avro.ImageEvent;
import pipeline.schemas.avro.LabelledImage;
import pipeline.schemas.avro.ModelAccuracy;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.avro.TrainingMetrics;

/**
 * The topic catalogue: every topic the system reads or writes. Keys are UTF-8 strings; values are
 * Avro records registered under {@code <topic>-value}.
 */
public final class Topics {

    /** Largest image record accepted (encoded image plus metadata). Producers set {@code max.request.size} to match. */
    public static final int MAX_IMAGE_RECORD_BYTES = 10 << 20;
    /** Largest model record (weights of a ResNet-style net are a few MiB; VGG-style nets more). */
    public static final int MAX_MODEL_RECORD_BYTES = 64 << 20;

    private static final String WEEK_MS = Long.toString(7L * 24 * 3600 * 1000);
    private static final String MONTH_MS = Long.toString(30L * 24 * 3600 * 1000);

    public static final TopicSpec IMAGES = new TopicSpec("images", 6, "image id", ImageEvent.getClassSchema(), Map.of(
            TopicConfig.RETENTION_MS_CONFIG, WEEK_MS,
            TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_IMAGE_RECORD_BYTES)));

    public static final TopicSpec PREDICTIONS = new TopicSpec("predictions", 6, "image id", Prediction.getClassSchema(), Map.of(
            TopicConfig.RETENTION_MS_CONFIG, WEEK_MS));

    public static final TopicSpec LABELS = new TopicSpec("labels", 3, "image id", LabelledImage.getClassSchema(), Map.of(
            TopicConfig.RETENTION_MS_CONFIG, MONTH_MS,
            TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_IMAGE_RECORD_BYTES)));

    /**
     * Keyed by {@code name:version} (see {@link ModelKey}), not by name alone: compaction then keeps
     * every version (needed for lineage and rollback) and only drops superseded statuses of the same version.
     */
    public static final TopicSpec MODELS = new TopicSpec("models", 1, "model name:version", ModelVersion.getClassSchema(), Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
            TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_MODEL_RECORD_BYTES)));

    public static final TopicSpec FEEDBACK = new TopicSpec("feedback", 3, "image id", Feedback.getClassSchema(), Map.of(
            TopicConfig.RETENTION_MS_CONFIG, MONTH_MS));

    public static final TopicSpec MODEL_ACCURACY = new TopicSpec("model-accuracy", 1, "model name:version", ModelAccuracy.getClassSchema(), Map.of(
            TopicConfig.RETENTION_MS_CONFIG, MONTH_MS));

    public static final TopicSpec IMAGES_DLQ = new TopicSpec("images.dlq", 1, "image id, when known", DeadLetter.getClassSchema(), Map.of(
            TopicConfig.RETENTION_MS_CONFIG, MONTH_MS,
            // The original record plus the reason must fit.
            TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_IMAGE_RECORD_BYTES + (1 << 20))));

    public static final TopicSpec TRAINING_METRICS = new TopicSpec("training-metrics", 1, "model name", TrainingMetrics.getClassSchema(), Map.of(
            TopicConfig.RETENTION_MS_CONFIG, MONTH_MS));

    private static final List<TopicSpec> ALL = List.of(
            IMAGES, PREDICTIONS, LABELS, MODELS, FEEDBACK, MODEL_ACCURACY, IMAGES_DLQ, TRAINING_METRICS);

    private Topics() {
    }

    /**
     * The spec of a topic of images for one model, when several are served side by side: {@code images}'s
     * partitions, records and retention under another name ({@code images.defects}).
     */
    public static TopicSpec imagesFor(String topic) {
        return topic.equals(IMAGES.name()) ? IMAGES
                : new TopicSpec(topic, IMAGES.partitions(), IMAGES.keyFormat(), IMAGES.valueSchema(), IMAGES.configs());
    }

    public static List<TopicSpec> all() {
        return ALL;
    }
}
