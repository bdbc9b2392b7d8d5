package pipeline.convnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
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
