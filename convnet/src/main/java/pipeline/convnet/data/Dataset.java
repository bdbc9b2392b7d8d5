package pipeline.convnet.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Labelled images of one size, kept as unsigned bytes {@code [N, C, H, W]} (a quarter of the
 * memory of floats) and turned into normalised float batches on demand.
 *
 * @param pixels     {@code N·C·H·W} unsigned bytes
 * @param labels     class index per image
 * @param classNames index i is the name of class i
 */
public record Dataset(byte[] pixels, int[] labels, int channels, int height, int width, List<String> classNames) {

    /** The classes of Fashion-MNIST, in label order. */
    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    public Dataset {
        if (pixels.length != labels.length * channels * height * width) {
            throw new IllegalArgumentException(labels.length + " labels for " + pixels.length + " pixels of "
                    + channels + "×" + height + "×" + width + " images");
        }
        classNames = List.copyOf(classNames);
    }

    public int size() {
        return labels.length;
    }

    public int imageSize() {
        return channels * height * width;
    }

    /**
     * Image {@code index} as a picture, as a camera would deliver it: grey for one channel, RGB for
     * three (channel planes 0, 1, 2 = red, green, blue).
     */
    public BufferedImage picture(int index) {
        Objects.checkIndex(index, size());
        if (channels != 1 && channels != 3) {
            throw new IllegalStateException("a picture needs 1 or 3 channels; these images have " + channels);
        }
        BufferedImage image = new BufferedImage(width, height, channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        int plane = height * width;
        int base = index * imageSize();
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < plane; p++) {
                image.getRaster().setSample(p % width, p / width, c, pixels[base + c * plane + p] & 0xff);
            }
        }
        return image;
    }

    /** The images at {@code indices}, in that order. */
    public Dataset select(int[] indices) {
        byte[] chosen = new byte[indices.length * imageSize()];
        int[] chosenLabels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * imageSize(), chosen, i * imageSize(), imageSize());
            chosenLabels[i] = labels[indices[i]];
        }
        return new Dataset(chosen, chosenLabels, channels, height, width, classNames);
    }

    /** The first {@code count} images. */
    public Dataset head(int count) {
        int n = Math.min(count, size());
        return new Dataset(Arrays.copyOf(pixels, n * imageSize()), Arrays.copyOf(labels, n), channels, height, width, classNames);
    }

    /**
     * Reads {@code <prefix>-images-idx3-ubyte[.gz]} and {@code <prefix>-labels-idx1-ubyte[.gz]} from a
     * folder, as MNIST and Fashion-MNIST ship them ({@code prefix} is {@code train} or {@code t10k}).
     */
    public static Dataset readIdx(Path folder, String prefix, List<String> classNames) throws IOException {
        Idx images = Idx.read(find(folder, prefix + "-images-idx3-ubyte"));
        Path labelFile = find(folder, prefix + "-labels-idx1-ubyte");
        Idx labels = Idx.read(labelFile);
        if (images.dims().length != 3 || labels.dims().length != 1 || images.dims()[0] != labels.dims()[0]) {
            throw new IOException("In " + folder + ", the " + prefix + " images have dimensions "
                    + Arrays.toString(images.dims()) + " and the labels " + Arrays.toString(labels.dims())
                    + "; expected [N, H, W] images and [N] labels with the same N");
        }
        int[] classes = new int[labels.values().length];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = labels.values()[i] & 0xff;
            if (classes[i] >= classNames.size()) {
                throw new IOException(labelFile + ": label " + classes[i] + " of image " + i + " is not one of the "
                        + classNames.size() + " classes");
            }
        }
        return new Dataset(images.values(), classes, 1, images.dims()[1], images.dims()[2], classNames);
    }

    private static Path find(Path folder, String name) throws IOException {
        for (String candidate : List.of(name + ".gz", name)) {
            Path file = folder.resolve(candidate);
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        throw new IOException("No " + name + " or " + name + ".gz in " + folder
                + " (a folder with MNIST or Fashion-MNIST IDX files, e.g. /usr/share/datasets/fashion-mnist)");
    }
}
