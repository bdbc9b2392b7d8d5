package pipeline.ops;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import pipeline.config.Setting;
import pipeline.config.ValueType;
import pipeline.convnet.cli.ColourisedFolder;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.model.ModelFile;
import pipeline.onnx.OnnxModels;

/**
 * {@code ./pipeline run --demo-rgb}: the stack serves an imported 224×224 RGB classifier
 * ({@code models/garments-rgb224.onnx}, made by {@code models/make-garments-rgb224.sh}; setting
 * {@code stack.demo-rgb-model}) and the live feed
 * sends it colour photos as JPEG files of camera size, labelled by their folders, so the web UI shows
 * colour photos, their predictions and, inside the model, its colour filters.
 */
final class RgbDemo {

    static final Setting<Path> MODEL = Setting.of("stack.demo-rgb-model", ValueType.path(), Path.of("models/garments-rgb224.onnx"),
            "the ONNX classifier --demo-rgb imports and serves");
    /** Photos per class: garments of Fashion-MNIST's test set the model never saw, in new colours. */
    static final int PHOTOS_PER_CLASS = 100;
    /** The photos' side in pixels: larger than the model's input, so the gateway's pre-processing scales them. */
    static final int PHOTO_SIZE = 320;
    /** Colours other than the ones the model's training pictures had. */
    private static final long SEED = 20;

    private RgbDemo() {
    }

    /** The ONNX classifier {@code onnx} imported as an engine model file in {@code dataDir}; returns that file. */
    static Path importModel(Path onnx, Path dataDir, PrintStream out) throws IOException {
        if (!Files.isRegularFile(onnx)) {
            throw new IOException(onnx.toAbsolutePath() + " is missing (run from the project's root, or set " + MODEL.key() + " / "
                    + MODEL.envName() + "; models/make-garments-rgb224.sh makes the demo's again)");
        }
        ModelFile model = OnnxModels.importAsCommanded(onnx, null, null, null);
        Path file = Files.createDirectories(dataDir).resolve(model.info().name() + ".model");
        model.write(file);
        int[] input = model.network().input();
        out.printf("Imported %s: %s, input %d×%d×%d, resize %s, %d classes; version 1 of it unless models has one%n",
                onnx, model.info().name(), input[0], input[1], input[2], model.resize().text(), model.classNames().size());
        return file;
    }

    /**
     * {@link #PHOTOS_PER_CLASS} colour photos of each class of the IDX folder's {@code t10k} images, as
     * {@code dataDir/demo-photos/<class>/<n>.jpg}; written once, then reused.
     */
    static Path photos(Path idx, Path dataDir, PrintStream out) throws IOException {
        Path folder = dataDir.resolve("demo-photos");
        if (Files.isDirectory(folder)) {
            try (Stream<Path> classes = Files.list(folder)) {
                if (classes.findAny().isPresent()) {
                    return folder;
                }
            }
        }
        Dataset test = Dataset.readIdx(idx, "t10k", Dataset.FASHION_MNIST_CLASSES);
        int written = ColourisedFolder.write(test, IntStream.range(0, test.classNames().size()).toArray(), PHOTOS_PER_CLASS,
                PHOTO_SIZE, SEED, "jpg", folder);
        out.printf("Wrote %d colour photos (%d×%d JPEG) of %s's test images to %s%n", written, PHOTO_SIZE, PHOTO_SIZE, idx, folder);
        return folder;
    }
}
