package pipeline.convnet.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.data.ImageFiles;
import pipeline.convnet.data.ImageFolder;
import pipeline.convnet.data.ImageInput;
import pipeline.convnet.data.Normalisation;
import pipeline.convnet.data.Resize;
import pipeline.convnet.train.Trainer;

/**
 * What a training command trains and evaluates on: Fashion-MNIST's IDX files, or a folder of class
 * folders ({@link ImageFolder}) read at the network's input size, evaluated on {@code --val}'s folder
 * or, without one, on a tenth of the images held out (the same tenth for the same seed).
 *
 * @param normalisation how the model normalises pixels: Fashion-MNIST's statistics, the training folder's
 *                      own per-channel mean and std, or what a model being fine-tuned was trained with
 * @param resize        how images of other sizes become the input (kept in the model file)
 */
record TrainingSets(Dataset train, Dataset test, Normalisation normalisation, Resize resize) {

    /** The share of a folder held out for evaluation when no {@code --val} folder is given. */
    static final double HELD_OUT = 0.1;

    /**
     * @param val     a folder of class folders to evaluate on, or {@code null}
     * @param input   the network's input {@code [C, H, W]}
     * @param trained the normalisation of a model being fine-tuned, or {@code null} to fit one
     */
    static TrainingSets read(Path data, String val, int[] input, Resize resize, Normalisation trained, int limit, long seed,
                             PrintStream out) throws IOException {
        if (!ImageFolder.isImageFolder(data)) {
            if (input[0] != 1 || val != null) {
                throw new IllegalArgumentException(data + " is not a folder of class folders, so it is read as Fashion-MNIST's"
                        + " grey IDX files" + (val != null ? ", which have their own test split (drop --val)" : ", which cannot"
                        + " feed an input of " + Arrays.toString(input)));
            }
            Dataset train = Dataset.readIdx(data, "train", Dataset.FASHION_MNIST_CLASSES).head(limit);
            Dataset test = Dataset.readIdx(data, "t10k", Dataset.FASHION_MNIST_CLASSES);
            return new TrainingSets(train, test, trained != null ? trained : Normalisation.FASHION_MNIST, Resize.STRETCH);
        }
        ImageInput pixels = new ImageInput(input, Normalisation.none(input[0]), resize);
        ImageFiles files = ImageFiles.available();
        ImageFolder.Read read = ImageFolder.read(data, pixels, null, files);
        report(read, data, out);
        Dataset all = read.data();
        Dataset train;
        Dataset test;
        if (val != null) {
            ImageFolder.Read held = ImageFolder.read(Path.of(val), pixels, all.classNames(), files);
            report(held, Path.of(val), out);
            train = all;
            test = held.data();
        } else {
            int[] order = shuffled(all.size(), seed);
            int heldOut = Math.max(1, (int) Math.round(all.size() * HELD_OUT));
            test = all.select(Arrays.copyOfRange(order, 0, heldOut));
            train = all.select(Arrays.copyOfRange(order, heldOut, order.length));
            out.printf("No --val folder: %d of the %d images held out for evaluation%n", heldOut, all.size());
        }
        train = train.head(limit);
        return new TrainingSets(train, test, trained != null ? trained : Normalisation.of(train), resize);
    }

    private static void report(ImageFolder.Read read, Path folder, PrintStream out) {
        Dataset d = read.data();
        out.printf("%s: %d images of %d classes %s, as %d×%d×%d%n", folder, d.size(), d.classNames().size(), d.classNames(),
                d.channels(), d.height(), d.width());
        if (!read.skipped().isEmpty()) {
            List<String> shown = read.skipped().subList(0, Math.min(5, read.skipped().size()));
            out.printf("  skipped %d file%s that %s not an image it reads: %s%s%n", read.skipped().size(),
                    read.skipped().size() == 1 ? "" : "s", read.skipped().size() == 1 ? "is" : "are", String.join("; ", shown),
                    read.skipped().size() > shown.size() ? "; …" : "");
        }
    }

    private static int[] shuffled(int n, long seed) {
        int[] order = new int[n];
        Trainer.shuffle(order, new SplittableRandom(seed));
        return order;
    }
}
