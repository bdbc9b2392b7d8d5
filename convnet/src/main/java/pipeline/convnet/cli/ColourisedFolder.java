package pipeline.convnet.cli;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import pipeline.convnet.data.Dataset;

/**
 * {@code convnet colourise}: Fashion-MNIST as a folder dataset of colour pictures, where no colour
 * dataset can be downloaded — each garment tinted with a random colour over a random background and
 * scaled up, written as {@code OUT/train/<class>/<n>.png} and {@code OUT/test/<class>/<n>.png} (a class
 * name's {@code /} becomes {@code -}), or as JPEG files as a camera would write them.
 *
 * <pre>
 * convnet colourise --out DIR [--from /usr/share/datasets/fashion-mnist] [--size 64] [--classes 0-9|1,5,7]
 *                   [--train 1000] [--test 200] [--seed 1] [--format png|jpg]  (--train and --test: images per class)
 * </pre>
 */
public final class ColourisedFolder {

    /** The file formats written: lossless PNG, or JPEG as cameras write. */
    public static final List<String> FORMATS = List.of("png", "jpg");

    private ColourisedFolder() {
    }

    static void write(List<String> args, PrintStream out) throws IOException {
        Options o = new Options("colourise", args, Set.of("from", "out", "size", "classes", "train", "test", "seed", "format"));
        String target = o.text("out", null);
        if (target == null) {
            throw new IllegalArgumentException("colourise: --out is required");
        }
        Path to = Path.of(target);
        Path from = Path.of(o.text("from", ConvnetCommand.FASHION_MNIST.toString()));
        int size = o.integer("size", 64);
        long seed = o.integer("seed", 1);
        String format = o.text("format", "png");
        for (String split : List.of("train", "test")) {
            Dataset data = Dataset.readIdx(from, split.equals("train") ? "train" : "t10k", Dataset.FASHION_MNIST_CLASSES);
            int[] chosen = classes(o.text("classes", "0-9"), data.classNames().size());
            int written = write(data, chosen, o.integer(split, split.equals("train") ? 1000 : 200), size, seed, format, to.resolve(split));
            out.printf("Wrote %d %s images of %d classes, %d×%d colour, to %s%n", written, split, chosen.length, size, size,
                    to.resolve(split));
        }
    }

    /**
     * The first {@code perClass} images of each of {@code classes} in {@code data}, colourised at {@code size}×{@code size},
     * as {@code to/<class>/<n>.<format>}; returns how many were written.
     *
     * @param seed decides the colours (with each image's index)
     */
    public static int write(Dataset data, int[] classes, int perClass, int size, long seed, String format, Path to)
            throws IOException {
        if (!FORMATS.contains(format)) {
            throw new IllegalArgumentException("colourise: --format takes one of " + FORMATS + "; got '" + format + "'");
        }
        int[] written = new int[data.classNames().size()];
        for (int i = 0; i < data.size(); i++) {
            int label = data.labels()[i];
            if (Arrays.stream(classes).noneMatch(c -> c == label) || written[label] >= perClass) {
                continue;
            }
            Path folder = Files.createDirectories(to.resolve(data.classNames().get(label).replace('/', '-')));
            ImageIO.write(colourised(data, i, size, new SplittableRandom(seed * 1_000_003 + i)), format.equals("jpg") ? "jpeg" : format,
                    folder.resolve(written[label]++ + "." + format).toFile());
        }
        return Arrays.stream(written).sum();
    }

    /** {@code 0-9}, {@code 1,5,7}: class indices below {@code count}. */
    private static int[] classes(String text, int count) {
        try {
            int[] chosen = text.contains("-")
                    ? IntStream.rangeClosed(Integer.parseInt(text.split("-")[0].strip()), Integer.parseInt(text.split("-")[1].strip())).toArray()
                    : Arrays.stream(text.split(",")).mapToInt(c -> Integer.parseInt(c.strip())).toArray();
            if (chosen.length > 0 && Arrays.stream(chosen).allMatch(c -> c >= 0 && c < count)) {
                return chosen;
            }
        } catch (NumberFormatException e) {
            // Named below.
        }
        throw new IllegalArgumentException("colourise: --classes takes class numbers 0 to " + (count - 1) + " as a range (0-4) or"
                + " a list (1,5,7); got '" + text + "'");
    }

    /**
     * Image {@code index} (grey, garment bright on black) as colour: each pixel a mix of a background colour
     * and a garment colour in the proportion of its grey level, then scaled to {@code size} bilinearly.
     */
    static BufferedImage colourised(Dataset data, int index, int size, SplittableRandom random) {
        int[] background = {random.nextInt(256), random.nextInt(256), random.nextInt(256)};
        int[] garment = {random.nextInt(256), random.nextInt(256), random.nextInt(256)};
        BufferedImage small = new BufferedImage(data.width(), data.height(), BufferedImage.TYPE_INT_RGB);
        int base = index * data.imageSize();
        for (int y = 0; y < data.height(); y++) {
            for (int x = 0; x < data.width(); x++) {
                float a = (data.pixels()[base + y * data.width() + x] & 0xff) / 255f;
                int rgb = 0;
                for (int c = 0; c < 3; c++) {
                    rgb = rgb << 8 | Math.round(background[c] * (1 - a) + garment[c] * a);
                }
                small.setRGB(x, y, rgb);
            }
        }
        BufferedImage scaled = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scaled.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(small, 0, 0, size, size, null);
        g.dispose();
        return scaled;
    }
}
