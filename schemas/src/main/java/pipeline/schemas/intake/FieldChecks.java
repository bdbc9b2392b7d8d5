package pipeline.schemas.intake;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import pipeline.schemas.avro.Feedback;
import pipeline.schemas.avro.ImageEvent;
import pipeline.schemas.avro.LabelledImage;
import pipeline.schemas.avro.ModelAccuracy;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.avro.ScoredLabel;
import pipeline.schemas.avro.TrainingMetrics;
import pipeline.schemas.topics.ModelKey;

/**
 * Per record type, what a decoded record must hold to be used: the key the topic's contract names
 * (the image id, {@code name:version}, the model name) and fields within sense. Each check gives the
 * first problem it finds, or {@code null}.
 */
final class FieldChecks {

    /** Ids and names are keys and log text: longer than this is not an id. */
    static final int MAX_ID_LENGTH = 512;

    private static final Map<Class<?>, BiFunction<String, ?, Refusal>> BY_TYPE = Map.of(
            ImageEvent.class, (BiFunction<String, ImageEvent, Refusal>) FieldChecks::imageEvent,
            LabelledImage.class, (BiFunction<String, LabelledImage, Refusal>) FieldChecks::labelledImage,
            Feedback.class, (BiFunction<String, Feedback, Refusal>) FieldChecks::feedback,
            Prediction.class, (BiFunction<String, Prediction, Refusal>) FieldChecks::prediction,
            ModelVersion.class, (BiFunction<String, ModelVersion, Refusal>) FieldChecks::modelVersion,
            TrainingMetrics.class, (BiFunction<String, TrainingMetrics, Refusal>) FieldChecks::trainingMetrics,
            ModelAccuracy.class, (BiFunction<String, ModelAccuracy, Refusal>) FieldChecks::modelAccuracy);

    private FieldChecks() {
    }

    /** The check for records of {@code type}; every type a service consumes has one. */
    @SuppressWarnings("unchecked")
    static <T> BiFunction<String, T, Refusal> forType(Class<T> type) {
        BiFunction<String, ?, Refusal> check = BY_TYPE.get(type);
        if (check == null) {
            throw new IllegalArgumentException("No field checks for " + type.getName() + "; consumed types are " + BY_TYPE.keySet());
        }
        return (BiFunction<String, T, Refusal>) check;
    }

    static Refusal imageEvent(String key, ImageEvent e) {
        return first(() -> id("id", e.getId()),
                () -> keyIs(key, e.getId(), "the image id"),
                () -> notEmpty("image", e.getImage()));
    }

    static Refusal labelledImage(String key, LabelledImage l) {
        return first(() -> id("imageId", l.getImageId()),
                () -> keyIs(key, l.getImageId(), "the image id"),
                () -> notEmpty("image", l.getImage()),
                () -> id("label", l.getLabel()));
    }

    static Refusal feedback(String key, Feedback f) {
        return first(() -> id("imageId", f.getImageId()),
                () -> keyIs(key, f.getImageId(), "the image id"),
                () -> id("label", f.getLabel()));
    }

    static Refusal prediction(String key, Prediction p) {
        return first(() -> id("imageId", p.getImageId()),
                () -> keyIs(key, p.getImageId(), "the image id"),
                () -> model("model", p.getModel().getName(), p.getModel().getVersion()),
                () -> scores(p.getTopK()),
                () -> finite("embedding", p.getEmbedding()));
    }

    static Refusal modelVersion(String key, ModelVersion v) {
        return first(() -> model("name and version", v.getName(), v.getVersion()),
                () -> keyIs(key, new ModelKey(v.getName(), v.getVersion()).toString(), "name:version"),
                () -> notEmpty("weights", v.getWeights()),
                () -> v.getParentVersion() == null || v.getParentVersion() >= 1 ? null
                        : invalid("field 'parentVersion' is " + v.getParentVersion() + "; expected a version number (1 or more) or null"),
                () -> v.getClassNames().isEmpty() ? invalid("field 'classNames' is empty; a model names at least one class") : null,
                () -> positive("input.channels", v.getInput().getChannels()),
                () -> positive("input.height", v.getInput().getHeight()),
                () -> positive("input.width", v.getInput().getWidth()));
    }

    static Refusal trainingMetrics(String key, TrainingMetrics m) {
        return first(() -> model("model", m.getModel().getName(), m.getModel().getVersion()),
                () -> keyIs(key, m.getModel().getName(), "the model name"),
                () -> fraction("accuracy", m.getAccuracy()),
                () -> notNegative("heldOutSamples", m.getHeldOutSamples()),
                () -> notNegative("samplesSeen", m.getSamplesSeen()));
    }

    static Refusal modelAccuracy(String key, ModelAccuracy a) {
        return first(() -> model("model", a.getModel().getName(), a.getModel().getVersion()),
                () -> keyIs(key, new ModelKey(a.getModel().getName(), a.getModel().getVersion()).toString(), "name:version"),
                () -> notNegative("predictions", a.getPredictions()),
                () -> a.getCorrect() >= 0 && a.getCorrect() <= a.getPredictions() ? null
                        : invalid("field 'correct' is " + a.getCorrect() + "; expected 0 to predictions (" + a.getPredictions() + ")"),
                () -> fraction("accuracy", a.getAccuracy()));
    }

    /** The first problem, checking in order: a later check may rely on an earlier one (a key built from a valid name). */
    @SafeVarargs
    private static Refusal first(Supplier<Refusal>... checks) {
        return Arrays.stream(checks).map(Supplier::get).filter(Objects::nonNull).findFirst().orElse(null);
    }

    private static Refusal invalid(String message) {
        return new Refusal(RefusalReason.INVALID_FIELD, message);
    }

    private static Refusal id(String field, String value) {
        if (value.isBlank()) {
            return invalid("field '" + field + "' is blank; expected a non-empty id or name");
        }
        if (value.length() > MAX_ID_LENGTH) {
            return invalid("field '" + field + "' has " + value.length() + " characters; expected at most " + MAX_ID_LENGTH);
        }
        return null;
    }

    private static Refusal keyIs(String key, String expected, String what) {
        if (key == null) {
            return new Refusal(RefusalReason.MISSING_KEY, "the record has no key; expected " + what + " '" + expected + "'");
        }
        if (!key.equals(expected)) {
            return new Refusal(RefusalReason.KEY_MISMATCH, "the key is '" + abbreviate(key) + "'; expected " + what + " '" + expected + "'");
        }
        return null;
    }

    private static Refusal notEmpty(String field, ByteBuffer bytes) {
        return bytes.hasRemaining() ? null : invalid("field '" + field + "' has no bytes");
    }

    private static Refusal positive(String field, long value) {
        return value >= 1 ? null : invalid("field '" + field + "' is " + value + "; expected 1 or more");
    }

    private static Refusal notNegative(String field, long value) {
        return value >= 0 ? null : invalid("field '" + field + "' is " + value + "; expected 0 or more");
    }

    private static Refusal fraction(String field, double value) {
        return value >= 0 && value <= 1 ? null : invalid("field '" + field + "' is " + value + "; expected 0 to 1");
    }

    /** A model name and version as {@link ModelKey} allows them. */
    private static Refusal model(String field, String name, int version) {
        try {
            new ModelKey(name, version);
            return null;
        } catch (IllegalArgumentException e) {
            return invalid("field '" + field + "': " + e.getMessage());
        }
    }

    private static Refusal scores(List<ScoredLabel> topK) {
        for (ScoredLabel s : topK) {
            if (!(s.getScore() >= 0 && s.getScore() <= 1)) {
                return invalid("label '" + abbreviate(s.getLabel()) + "' in field 'topK' scores " + s.getScore() + "; expected a probability, 0 to 1");
            }
        }
        return null;
    }

    private static Refusal finite(String field, List<Float> values) {
        for (int i = 0; i < values.size(); i++) {
            if (!Float.isFinite(values.get(i))) {
                return invalid("element " + i + " of field '" + field + "' is " + values.get(i) + "; expected a finite number");
            }
        }
        return null;
    }

    /** A value from a record, cut short enough for a log line. */
    static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
