package pipeline.ops.bench;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.data.Normalisation;
import pipeline.convnet.init.Initializer;
import pipeline.convnet.inspect.Picture;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.model.ModelInfo;
import pipeline.convnet.net.Network;
import pipeline.convnet.net.NetworkSpec;

/**
 * One benchmark case: a model, the batch size it is served with, and the encoded images a client
 * would send it, made before any clock starts.
 *
 * @param name        how tables name the case
 * @param contentType the images' media type
 */
record BenchFeed(String name, ModelFile model, int batch, String contentType, List<byte[]> images) {

    /** The same case with its images repeated in turn to at least {@code count} of them. */
    BenchFeed repeatedTo(int count) {
        if (count <= images.size()) {
            return this;
        }
        return new BenchFeed(name, model, batch, contentType, IntStream.range(0, count).mapToObj(i -> images.get(i % images.size())).toList());
    }

    /** ImageNet's per-channel statistics, which torchvision's classifiers normalise with. */
    private static final Normalisation IMAGENET = new Normalisation(new float[] {0.485f, 0.456f, 0.406f},
            new float[] {0.229f, 0.224f, 0.225f});

    /** The bundled LeNet-5 on 28×28 grey PNGs of the Fashion-MNIST test sample. */
    static BenchFeed fashionPngs(String arch, int batch, int count) throws IOException {
        ModelFile model = arch.equals("lenet5") ? ModelFile.read(Path.of("models/fashion-lenet5.model"))
                : untrained(arch, Normalisation.FASHION_MNIST, Dataset.FASHION_MNIST_CLASSES);
        Dataset sample = sample();
        List<byte[]> pngs = IntStream.range(0, count).mapToObj(i -> Picture.png(sample.picture(i % sample.size()))).toList();
        return new BenchFeed(arch + ", 28×28 PNG", model, batch, "image/png", pngs);
    }

    /**
     * An untrained {@code arch} for 224×224 RGB with 1,000 classes, on 640×480 colour JPEGs (quality 90)
     * made from the Fashion-MNIST sample: each item scaled up, tinted, on a shaded, grainy background —
     * a photo's size and entropy, since no photo dataset can be downloaded here.
     */
    static BenchFeed photoJpegs(String arch, int batch, int count) throws IOException {
        List<String> classes = IntStream.range(0, 1000).mapToObj(i -> "class-" + i).toList();
        ModelFile model = untrained(arch, IMAGENET, classes);
        Dataset sample = sample();
        List<byte[]> jpegs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            jpegs.add(jpeg(photo(sample.picture(i % sample.size()), new Random(i)), 0.9f));
        }
        return new BenchFeed(arch + ", 640×480 JPEG", model, batch, "image/jpeg", jpegs);
    }

    /** Speed does not depend on the weights: He-initialised. */
    private static ModelFile untrained(String arch, Normalisation normalisation, List<String> classes) {
        Network network = NetworkSpec.builtIn(arch, 1);
        new Initializer(Initializer.Scheme.HE, 1).initialise(network.graph());
        return new ModelFile(network, normalisation, classes, new ModelInfo("bench-" + arch, 1, null, Instant.now(), Map.of()));
    }

    private static Dataset sample() throws IOException {
        return Dataset.readIdx(Path.of("convnet/src/test/resources/fashion-mnist-sample"), "t10k", Dataset.FASHION_MNIST_CLASSES);
    }

    private static BufferedImage photo(BufferedImage item, Random random) {
        BufferedImage photo = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = photo.createGraphics();
        g.setPaint(new java.awt.GradientPaint(0, 0, new Color(random.nextInt(0xffffff)), 640, 480, new Color(random.nextInt(0xffffff))));
        g.fillRect(0, 0, 640, 480);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        BufferedImage tinted = new BufferedImage(item.getWidth(), item.getHeight(), BufferedImage.TYPE_INT_ARGB);
        int tint = random.nextInt(0xffffff);
        for (int y = 0; y < item.getHeight(); y++) {
            for (int x = 0; x < item.getWidth(); x++) {
                int level = item.getRaster().getSample(x, y, 0);
                tinted.setRGB(x, y, level << 24 | tint);
            }
        }
        g.drawImage(tinted, 80, 0, 480, 480, null);
        g.dispose();
        for (int y = 0; y < 480; y++) {
            for (int x = 0; x < 640; x++) {
                int rgb = photo.getRGB(x, y);
                int grain = (int) (random.nextGaussian() * 6);
                photo.setRGB(x, y, channel(rgb >> 16, grain) << 16 | channel(rgb >> 8, grain) << 8 | channel(rgb, grain));
            }
        }
        return photo;
    }

    private static int channel(int value, int grain) {
        return Math.clamp((value & 0xff) + grain, 0, 255);
    }

    private static byte[] jpeg(BufferedImage image, float quality) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
