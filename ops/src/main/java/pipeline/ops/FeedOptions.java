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
 * @param images   what is sent: an IDX folder's {@code t10k} images and labels, or a folder of class folders
 *                 (photos, labelled by the folder they are in)
 */
public record FeedOptions(boolean enabled, int rate, double feedback, Path images) {

    static final Setting<Boolean> ENABLED = Setting.of("stack.feed", ValueType.bool(), false,
            "replay the sample images through the gateway and send labels back (also --feed)");
    static final Setting<Integer> RATE = Setting.of("stack.feed-rate", ValueType.integer(1, 10_000), 50,
            "the feed's images per second");
    static final Setting<Double> FEEDBACK = Setting.of("stack.feed-feedback", ValueType.decimal(0, 1), 0.5,
            "share of the fed images whose true label is sent back as feedback");
    /** Debian's {@code dataset-fashion-mnist}: 10,000 test images, so the feed repeats itself less often than with the sample's 1,000. */
    static final Path DEBIAN_DATASET = Path.of("/usr/share/datasets/fashion-mnist");
    static final Path SAMPLE = Path.of("convnet/src/test/resources/fashion-mnist-sample");
    static final Setting<Path> IMAGES = Setting.of("stack.feed-images", ValueType.path(),
            Files.isDirectory(DEBIAN_DATASET) ? DEBIAN_DATASET : SAMPLE,
            "what the feed replays: an IDX folder (t10k images and labels) or a folder of class folders of photos");

    static final List<Setting<?>> SETTINGS = List.of(ENABLED, RATE, FEEDBACK, IMAGES);

    public static FeedOptions from(Settings settings) {
        return new FeedOptions(settings.get(ENABLED), settings.get(RATE), settings.get(FEEDBACK), settings.get(IMAGES));
    }

    FeedOptions on() {
        return new FeedOptions(true, rate, feedback, images);
    }

    /** These options sending the photos under {@code folder} instead. */
    FeedOptions sending(Path folder) {
        return new FeedOptions(enabled, rate, feedback, folder);
    }

    /** Whether {@link #images} is Fashion-MNIST's IDX layout rather than a folder of photos. */
    boolean idx() {
        return holdsIdx(images, "t10k");
    }

    /** Whether {@code folder} has {@code <prefix>-images-idx3-ubyte}, plain or gzipped. */
    static boolean holdsIdx(Path folder, String prefix) {
        String images = prefix + "-images-idx3-ubyte";
        return Files.exists(folder.resolve(images)) || Files.exists(folder.resolve(images + ".gz"));
    }
}
