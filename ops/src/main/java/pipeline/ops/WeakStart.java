package pipeline.ops;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import pipeline.convnet.model.ModelFile;
import pipeline.trainer.ColdStart;

/**
 * {@code ./pipeline run --demo}: the stack starts from a deliberately weak model (a LeNet-5 after one
 * pass over 500 images, about a third right), so that the live feed shows the trainer replacing it
 * within a minute or two, and the served accuracy rising.
 */
final class WeakStart {

    static final int IMAGES = 500;

    private WeakStart() {
    }

    /**
     * Trains the weak model on {@code idx} under the name of {@code bundled} (the name the trainer
     * follows) and writes it into {@code dataDir}; returns its file.
     */
    static Path write(Path idx, Path bundled, Path dataDir, PrintStream out) throws IOException {
        String name = ModelFile.read(bundled).info().name();
        out.println("Training a weak first " + name + " for the demo (one pass over " + IMAGES + " images of " + idx + ")...");
        ModelFile weak = ColdStart.lenetFromIdx(idx, IMAGES, 1, 1, name);
        Path file = Files.createDirectories(dataDir).resolve("weak-start.model");
        weak.write(file);
        Double accuracy = weak.info().metrics().get("testAccuracy");
        out.println("  " + (accuracy == null ? "" : String.format(Locale.ROOT, "%.1f %% right on the test set; ", 100 * accuracy))
                + "it seeds the models topic if that is empty (a fresh data folder)");
        return file;
    }
}
