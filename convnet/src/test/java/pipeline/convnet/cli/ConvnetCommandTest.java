package pipeline.convnet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.model.ModelFile;

/** train → evaluate → predict through the command line, on the committed sample. */
class ConvnetCommandTest {

    static final Path SAMPLE = Path.of("src/test/resources/fashion-mnist-sample");

    @TempDir
    Path dir;

    @Test
    void trainSavesAModelThatEvaluatesAndPredicts() throws IOException {
        Path model = dir.resolve("lenet.model");

        String trained = run(out -> ConvnetCommand.train(List.of("--data", SAMPLE.toString(), "--epochs", "2",
                "--batch", "32", "--lr", "0.05", "--out", model.toString(), "--name", "sample-lenet"), out));
        String evaluated = run(out -> ConvnetCommand.evaluate(List.of("--model", model.toString(), "--data", SAMPLE.toString()), out));
        Path png = samplePng(0);
        String predicted = run(out -> ConvnetCommand.predict(List.of("--model", model.toString(), "--image", png.toString(), "--top", "2"), out));

        assertThat(trained).contains("epoch 2: train loss").contains("Saved " + model);
        assertThat(ModelFile.read(model).info().metrics()).containsKey("testAccuracy");
        assertThat(evaluated).contains("sample-lenet v1 on 1000 test images: accuracy").contains("Ankle boot");
        String firstLine = predicted.lines().skip(1).findFirst().orElseThrow();
        assertThat(predicted.lines().count()).isEqualTo(3);
        assertThat(firstLine).matches("\\s+\\S.*\\s+\\d+\\.\\d\\d%");
    }

    /**
     * A folder of class folders (colourised Fashion-MNIST pictures of three classes at 36×36, PNG and JPEG,
     * and a stray text file) trains an RGB network at 32×32, and the model fine-tunes onto two other
     * classes with its body frozen: the head is new, the body's weights are untouched, and both learn.
     */
    @Test
    void aFolderOfClassFoldersTrainsAndAModelFineTunesOntoNewClasses() throws IOException {
        Path first = folderDataset(dir.resolve("garments"), List.of(1, 8, 9), 3);
        Path second = folderDataset(dir.resolve("shoes"), List.of(5, 7), 11);
        Files.writeString(first.resolve("Bag").resolve("notes.txt"), "not an image");
        Path spec = Files.writeString(dir.resolve("small-rgb.net"), """
                input 3 32 32
                conv 8 kernel=3 padding=1
                batchnorm
                relu
                maxpool kernel=2
                conv 16 kernel=3 padding=1
                relu
                global-avgpool
                linear 3
                """);
        Path model = dir.resolve("garments.model");
        Path tuned = dir.resolve("shoes.model");

        String trained = run(out -> ConvnetCommand.train(List.of("--arch", spec.toString(), "--data", first.toString(),
                "--epochs", "4", "--batch", "16", "--lr", "0.05", "--augment", "flip,resized-crop,jitter", "--threads", "1",
                "--out", model.toString()), out));
        String finetuned = run(out -> ConvnetCommand.finetune(List.of("--model", model.toString(), "--data", second.toString(),
                "--epochs", "4", "--batch", "16", "--lr", "0.05", "--threads", "1", "--out", tuned.toString()), out));

        assertThat(trained).contains("3 classes [Ankle boot, Bag, Trouser], as 3×32×32").contains("skipped 1 file that is not an image")
                .contains("notes.txt").contains("held out for evaluation");
        ModelFile garments = ModelFile.read(model);
        assertThat(garments.classNames()).containsExactly("Ankle boot", "Bag", "Trouser");
        assertThat(garments.normalisation().mean()).hasSize(3);
        assertThat(garments.info().metrics().get("testAccuracy")).as("three classes: chance is a third").isGreaterThan(0.6);
        assertThat(finetuned).contains("a new head for 2 classes").contains("frozen");
        ModelFile shoes = ModelFile.read(tuned);
        assertThat(shoes.classNames()).containsExactly("Sandal", "Sneaker");
        assertThat(shoes.normalisation().mean()).as("the body's normalisation").containsExactly(garments.normalisation().mean());
        for (int t = 0; t < garments.network().state().size() - 2; t++) {
            assertThat(shoes.network().state().get(t).values()).as(garments.network().state().get(t).name())
                    .containsExactly(garments.network().state().get(t).values());
        }
        assertThat(shoes.info().metrics().get("testAccuracy")).as("two classes: chance is a half").isGreaterThan(0.7);
    }

    @Test
    void colouriseWritesAFolderDatasetOfColourPicturesOfTheChosenClasses() throws IOException {
        Path out = dir.resolve("colour");

        run(o -> ColourisedFolder.write(List.of("--from", SAMPLE.toString(), "--out", out.toString(), "--size", "48",
                "--classes", "0,8", "--train", "5", "--test", "3"), o));

        assertThat(Files.list(out.resolve("train")).map(p -> p.getFileName().toString()).sorted()).containsExactly("Bag", "T-shirt-top");
        assertThat(Files.list(out.resolve("test").resolve("Bag"))).hasSize(3);
        BufferedImage picture = ImageIO.read(out.resolve("train").resolve("Bag").resolve("0.png").toFile());
        assertThat(new int[] {picture.getWidth(), picture.getHeight()}).containsExactly(48, 48);
        assertThat(picture.getColorModel().getNumColorComponents()).isEqualTo(3);
    }

    @Test
    void colouriseWritesJpegFilesAsACameraWouldAndRefusesOtherFormats() throws IOException {
        Path out = dir.resolve("colour-jpeg");

        run(o -> ColourisedFolder.write(List.of("--from", SAMPLE.toString(), "--out", out.toString(), "--size", "40",
                "--classes", "3", "--train", "2", "--test", "2", "--format", "jpg"), o));

        byte[] jpeg = Files.readAllBytes(out.resolve("test").resolve("Dress").resolve("1.jpg"));
        assertThat(jpeg).startsWith((byte) 0xff, (byte) 0xd8, (byte) 0xff);
        assertThat(ImageIO.read(new ByteArrayInputStream(jpeg)).getWidth()).isEqualTo(40);
        assertThatThrownBy(() -> ColourisedFolder.write(List.of("--from", SAMPLE.toString(), "--out", out.toString(),
                "--format", "gif"), System.out)).hasMessageContaining("--format takes one of [png, jpg]; got 'gif'");
    }

    /**
     * Sample images of {@code labels} as {@code DIR/<class>/<i>.png|jpg}: grey levels tinted by a random colour
     * per image, upscaled to 36×36.
     */
    private static Path folderDataset(Path root, List<Integer> labels, long seed) throws IOException {
        Dataset train = Dataset.readIdx(SAMPLE, "train", Dataset.FASHION_MNIST_CLASSES);
        Random random = new java.util.Random(seed);
        for (int i = 0; i < train.size(); i++) {
            if (!labels.contains(train.labels()[i])) {
                continue;
            }
            Path folder = Files.createDirectories(root.resolve(train.classNames().get(train.labels()[i])));
            float[] tint = {0.4f + 0.6f * random.nextFloat(), 0.4f + 0.6f * random.nextFloat(), 0.4f + 0.6f * random.nextFloat()};
            BufferedImage image = new BufferedImage(36, 36, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 36; y++) {
                for (int x = 0; x < 36; x++) {
                    int level = train.pixels()[i * 784 + (y * 28 / 36) * 28 + x * 28 / 36] & 0xff;
                    image.setRGB(x, y, (int) (level * tint[0]) << 16 | (int) (level * tint[1]) << 8 | (int) (level * tint[2]));
                }
            }
            String format = i % 2 == 0 ? "png" : "jpg";
            ImageIO.write(image, format, folder.resolve(i + "." + format).toFile());
        }
        return root;
    }

    private Path samplePng(int index) throws IOException {
        Dataset test = Dataset.readIdx(SAMPLE, "t10k", Dataset.FASHION_MNIST_CLASSES);
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                image.getRaster().setSample(x, y, 0, test.pixels()[index * 784 + y * 28 + x] & 0xff);
            }
        }
        Path file = dir.resolve("sample-" + index + ".png");
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    @FunctionalInterface
    private interface Command {
        void run(PrintStream out) throws IOException;
    }

    private static String run(Command command) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        command.run(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
