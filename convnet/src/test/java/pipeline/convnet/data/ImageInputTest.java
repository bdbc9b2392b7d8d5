package pipeline.convnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import pipeline.convnet.tensor.Tensor;

class ImageInputTest {

    static final Normalisation IDENTITY = new Normalisation(new float[] {0f}, new float[] {1f});

    @Test
    void shrinkingAveragesTheCoveredPixels() throws IOException {
        // A 4×4 grey image of 2×2 blocks 0, 100 / 200, 40 becomes 2×2 of those values.
        BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        int[][] blocks = {{0, 100}, {200, 40}};
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                image.getRaster().setSample(x, y, 0, blocks[y / 2][x / 2]);
            }
        }

        Tensor t = new ImageInput(new int[] {1, 2, 2}, IDENTITY).batch(ImageInput.decode(png(image), "test"));

        assertThat(t.shape()).containsExactly(1, 1, 2, 2);
        assertThat((double) t.data()[0]).isCloseTo(0, within(0.01));
        assertThat((double) t.data()[1]).isCloseTo(100 / 255.0, within(0.01));
        assertThat((double) t.data()[2]).isCloseTo(200 / 255.0, within(0.01));
        assertThat((double) t.data()[3]).isCloseTo(40 / 255.0, within(0.01));
    }

    @Test
    void pixelsOfAnImageOfTheModelsSizeAreItsOwnBytes() throws IOException {
        Dataset sample = Dataset.readIdx(Path.of("src/test/resources/fashion-mnist-sample"), "t10k", Dataset.FASHION_MNIST_CLASSES);
        ImageInput input = new ImageInput(new int[] {1, 28, 28}, Normalisation.FASHION_MNIST);

        for (int i = 0; i < 5; i++) {
            byte[] pixels = input.pixels(ImageInput.decode(png(sample.picture(i)), "image " + i));

            assertThat(pixels).isEqualTo(Arrays.copyOfRange(sample.pixels(), i * 784, (i + 1) * 784));
            assertThat(input.batch(sample.picture(i)).data()[300])
                    .isEqualTo(Normalisation.FASHION_MNIST.apply(0, pixels[300] & 0xff));
        }
    }

    @Test
    void colourBecomesGreyByLumaAndIsNormalised() throws IOException {
        BufferedImage red = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        red.setRGB(0, 0, 0xff0000);

        Tensor t = new ImageInput(new int[] {1, 1, 1}, Normalisation.FASHION_MNIST).batch(ImageInput.decode(png(red), "red"));

        assertThat((double) t.data()[0]).isCloseTo((76 / 255.0 - 0.2860) / 0.3530, within(1e-4));
    }

    /**
     * The same colour picture as ImageIO's JPEG reader holds it (BGR bytes), as an int-RGB image, and as
     * decoded planar pixels gives the same input, for grey and RGB models, resized or not.
     */
    @Test
    void everyWayAPictureArrivesGivesTheSameInput() {
        int w = 37;
        int h = 21;
        BufferedImage bgr = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        byte[] planes = new byte[3 * h * w];
        java.util.Random random = new java.util.Random(5);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int colour = random.nextInt(0x1000000);
                bgr.setRGB(x, y, colour);
                rgb.setRGB(x, y, colour);
                for (int c = 0; c < 3; c++) {
                    planes[c * h * w + y * w + x] = (byte) (colour >> (16 - 8 * c));
                }
            }
        }
        for (int[] shape : new int[][] {{1, 28, 28}, {3, 28, 28}, {3, h, w}, {1, h, w}}) {
            ImageInput input = new ImageInput(shape, shape[0] == 1 ? IDENTITY
                    : new Normalisation(new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.2f, 0.3f, 0.4f}));
            Tensor fromPlanes = Tensor.zeros(1, shape[0], shape[1], shape[2]);
            input.write(fromPlanes, 0, planes, 3, h, w);

            assertThat(input.batch(bgr).data()).as("BGR bytes, %s", Arrays.toString(shape)).containsExactly(fromPlanes.data());
            assertThat(input.batch(rgb).data()).as("int RGB, %s", Arrays.toString(shape)).containsExactly(fromPlanes.data());
            assertThat(input.pixels(bgr)).isEqualTo(input.pixels(planes, 3, h, w));
        }
    }

    @Test
    void bytesThatAreNotAnImageAreNamed() {
        assertThatThrownBy(() -> ImageInput.decode("hello".getBytes(), "upload 42"))
                .hasMessageContaining("upload 42 is not an image");
    }

    static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
