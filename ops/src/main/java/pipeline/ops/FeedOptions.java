package pipeline.ops;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import pipeline.config.Setting;
import pipeline.config.Settings;
import pipeline.config.ValueType;

/**
 * The local stack's live feed ({@code ./pipeline run --feed}); settings {@code stack.feed*} /
 * {@code PIPELINE_STACK_FEED*}.
 *
 * @param enabled  whether the feed runs (also {@code --feed} on the command line)
 * @param rate     images per second through the gateway
 * @param feedback share of the images whose true label is sent back, 0 to 1
 * @param idx      an IDX folder whose {@code t10k} images and labels are sent
 */
public record FeedOptions(boolean enabled, int rate, double feedback, Path idx) {

    static final Setting<Boolean> ENABLED = Setting.of("stack.feed", ValueType.bool(), false,
            "replay the sample images through the gateway and send labels back (also --feed)");
    static final Setting<Integer> RATE = Setting.of("stack.feed-rate", ValueType.integer(1, 10_000), 50,
            "the feed's images per second");
    static final Setting<Double> FEEDBACK = Setting.of("stack.feed-feedback", ValueType.decimal(0, 1), 0.5,
            "share of the fed images whose true label is sent back as feedback");
    /** Debian's {@code dataset-fashion-mnist}: 10,000 test images, so the feed repeats itself less often than with the sample's 1,000. */
    static final Path DEBIAN_DATASET = Path.of("/usr/share/datasets/fashion-mnist");
    static final Path SAMPLE = Path.of("convnet/src/test/resources/fashion-mnist-sample");
    static final Setting<Path> IDX = Setting.of("stack.feed-images", ValueType.path(),
            Files.isDirectory(DEBIAN_DATASET) ? DEBIAN_DATASET : SAMPLE,
            "IDX folder (t10k images and labels) the feed replays");

    static final List<Setting<?>> SETTINGS = List.of(ENABLED, RATE, FEEDBACK, IDX);

    public static FeedOptions from(Settings settings) {
        return new FeedOptions(settings.get(ENABLED), settings.get(RATE), settings.get(FEEDBACK), settings.get(IDX));
    }

    FeedOptions on() {
        return new FeedOptions(true, rate, feedback, idx);
    }
}
