package pipeline.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.data.ImageFiles;
import pipeline.convnet.data.ImageFolder;
import pipeline.convnet.data.ImageInput;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.train.Trainer;

/**
 * The images the start model learnt from, replayed beside the stream: a {@code share} of every round's
 * draws comes from them, so fine-tuning on what the stream brings does not pull a converged model away
 * from what it already does well (it would otherwise forget faster than a thousand new labels pay back).
 */
record StartReplay(Dataset data, double share) {

    /** No start data: every draw comes from the stream. */
    static final StartReplay NONE = new StartReplay(null, 0);

    StartReplay {
        if (!(share >= 0 && share < 1)) {
            throw new IllegalArgumentException("the share of draws replayed from the start data is in [0, 1); got " + share);
        }
        if (share > 0 && (data == null || data.size() == 0)) {
            throw new IllegalArgumentException("a replay share of " + share + " needs start data with images; got none");
        }
    }

    /**
     * At most {@code limit} images of the folder {@code path} (IDX files {@code train-images-idx3-ubyte} and
     * {@code train-labels-idx1-ubyte} of Fashion-MNIST, or one folder per class), as {@code model} takes them;
     * chosen at random with {@code seed} when there are more.
     */
    static StartReplay load(Path path, ModelFile model, double share, int limit, long seed) throws IOException {
        if (!Files.isDirectory(path)) {
            throw new IOException("trainer.replay-data: " + path + " is not a folder; expected the images the start model learnt"
                    + " from: a folder with train-images-idx3-ubyte and train-labels-idx1-ubyte (or .gz), or one folder per class");
        }
        Dataset all = ImageFolder.isImageFolder(path)
                ? ImageFolder.read(path, new ImageInput(model.network().input(), model.normalisation(), model.resize()),
                        null, ImageFiles.available()).data()
                : Dataset.readIdx(path, "train", Dataset.FASHION_MNIST_CLASSES);
        int[] input = model.network().input();
        if (all.channels() != input[0] || all.height() != input[1] || all.width() != input[2]) {
            throw new IOException("the replay data in " + path + " has images of " + all.channels() + "×" + all.height() + "×"
                    + all.width() + "; model " + model.info().name() + " takes " + input[0] + "×" + input[1] + "×" + input[2]);
        }
        if (all.size() <= limit) {
            return new StartReplay(all, share);
        }
        int[] order = new int[all.size()];
        Trainer.shuffle(order, new SplittableRandom(seed));
        return new StartReplay(all.select(Arrays.copyOf(order, limit)), share);
    }

    /** {@code count} of the start images, drawn with replacement. */
    List<Sample> draw(int count, SplittableRandom random) {
        return IntStream.range(0, count).mapToObj(i -> {
            int index = random.nextInt(data.size());
            return Sample.of(data, index, "start-" + index, data.labels()[index]);
        }).toList();
    }
}
