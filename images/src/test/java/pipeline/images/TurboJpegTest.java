package pipeline.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** JPEGs through libjpeg-turbo (which {@code ./pipeline test} installs) against ImageIO's decoder on the same bytes. */
class TurboJpegTest {

    private static final ImageProbe PROBE = new ImageProbe(4096L * 4096);
    private static byte[] photo;

    @BeforeAll
    static void libraryAndPhoto() throws IOException {
        assertThat(TurboJpeg.library()).as("libturbojpeg.so.0 (Debian's libturbojpeg0) is installed").isPresent();
        BufferedImage image = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(0x2060a0), 640, 480, new Color(0xf0c040)));
        g.fillRect(0, 0, 640, 480);
        g.setColor(Color.RED);
        g.fillOval(200, 100, 240, 280);
        g.dispose();
        photo = encode(image, "jpg");
    }

    @Test
    void atFullSizeTheLevelsAreImageIosWithinRounding() throws Exception {
        Pixels turbo = (Pixels) PROBE.decode(photo);
        BufferedImage reference = ImageIO.read(new ByteArrayInputStream(photo));

        assertThat(turbo.width()).isEqualTo(640);
        assertThat(turbo.height()).isEqualTo(480);
        int plane = 640 * 480;
        long differenceSum = 0;
        int largest = 0;
        for (int p = 0; p < plane; p++) {
            int rgb = reference.getRGB(p % 640, p / 640);
            for (int c = 0; c < 3; c++) {
                int difference = Math.abs((turbo.values()[c * plane + p] & 0xff) - ((rgb >> (16 - 8 * c)) & 0xff));
                differenceSum += difference;
                largest = Math.max(largest, difference);
            }
        }
        assertThat(largest).as("largest level difference").isLessThanOrEqualTo(3);
        assertThat(differenceSum / (3.0 * plane)).as("mean level difference").isLessThan(0.5);
    }

    @Test
    void aJpegDecodesNoLargerThanTheModelNeeds() throws Exception {
        assertThat(size(PROBE.decode(photo, 224, 224))).containsExactly(320, 240);
        assertThat(size(PROBE.decode(photo, 28, 28))).containsExactly(80, 60);
        assertThat(size(PROBE.decode(photo, 224, 300))).containsExactly(640, 480);
        assertThat(size(PROBE.decode(photo, 1, 1))).containsExactly(80, 60);
    }

    @Test
    void aGreyJpegDecodesToOneChannel() throws Exception {
        BufferedImage grey = new BufferedImage(40, 30, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(5, 5, 0, 200);

        Pixels pixels = (Pixels) PROBE.decode(encode(grey, "jpg"));

        assertThat(pixels.channels()).isEqualTo(1);
        assertThat(pixels.values()[5 * 40 + 5] & 0xff).isGreaterThan(100);
    }

    @Test
    void aJpegCutShortIsRefusedWithLibjpegTurbosReason() {
        byte[] cut = Arrays.copyOf(photo, photo.length / 2);

        assertThatThrownBy(() -> PROBE.decode(cut, 224, 224))
                .isInstanceOfSatisfying(ImageProbe.RejectedImage.class,
                        e -> assertThat(e.reason()).isEqualTo(ImageProbe.RejectedImage.Reason.UNDECODABLE_IMAGE))
                .hasMessageStartingWith("the JPEG is damaged: ");
        assertThatThrownBy(() -> PROBE.check(cut)).hasMessageStartingWith("the JPEG is damaged: ");
    }

    private static int[] size(DecodedImage image) {
        return new int[] {image.width(), image.height()};
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }
}
