package pipeline.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import pipeline.testkit.PhonePhotos;

/** Phone photos stored sideways, with an EXIF orientation, come out of the decoder upright. */
class OrientationTest {

    static final int W = 48;
    static final int H = 32;

    /** An upright picture no turn or mirror leaves unchanged: smooth colour ramps, so JPEG keeps it close. */
    static Pixels upright() {
        byte[] values = new byte[3 * W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                values[y * W + x] = (byte) (x * 5);
                values[W * H + y * W + x] = (byte) (y * 7);
                values[2 * W * H + y * W + x] = (byte) (x < W / 3 && y < H / 3 ? 250 : 20);
            }
        }
        return new Pixels(W, H, 3, values);
    }

    /** How a camera holding {@code upright} as {@code orientation} would store it. */
    static Pixels stored(Pixels upright, Orientation orientation) {
        int sw = orientation.swapsSides() ? H : W;
        int sh = orientation.swapsSides() ? W : H;
        byte[] values = new byte[upright.values().length];
        int[] xy = new int[2];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                orientation.source(x, y, sw, sh, xy);
                for (int c = 0; c < 3; c++) {
                    values[c * W * H + xy[1] * sw + xy[0]] = upright.values()[c * W * H + y * W + x];
                }
            }
        }
        return new Pixels(sw, sh, 3, values);
    }

    @Test
    void everyOrientationTurnsPlanarPixelsAndPicturesUprightAlike() {
        Pixels upright = upright();
        for (Orientation orientation : Orientation.values()) {
            Pixels stored = stored(upright, orientation);

            assertSamePixels(orientation.upright(stored), upright, orientation + ", planar");
            assertSamePixels(planar(orientation.upright(picture(stored))), upright, orientation + ", picture");
        }
    }

    @Test
    void aJpegWithAnExifOrientationDecodesUpright() throws Exception {
        ImageProbe probe = new ImageProbe(1 << 20);
        Pixels upright = upright();
        for (Orientation orientation : Orientation.values()) {
            for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                byte[] jpeg = PhonePhotos.withExif(jpeg(picture(stored(upright, orientation))), orientation.exif(), order);

                assertThat(Orientation.ofJpeg(jpeg)).isEqualTo(orientation);
                Pixels decoded = planar(probe.decode(jpeg));
                assertThat(decoded.width()).as("%s width", orientation).isEqualTo(W);
                assertThat(decoded.height()).isEqualTo(H);
                assertThat(meanDifference(decoded, upright)).as("%s, %s", orientation, order).isLessThan(4);
            }
        }
    }

    @Test
    void aMissingDamagedOrUnknownOrientationReadsAsUpright() throws Exception {
        byte[] plain = jpeg(picture(upright()));
        assertThat(Orientation.ofJpeg(plain)).isEqualTo(Orientation.UPRIGHT);
        assertThat(Orientation.ofJpeg(PhonePhotos.withExif(plain, 9, ByteOrder.BIG_ENDIAN))).isEqualTo(Orientation.UPRIGHT);
        byte[] cut = PhonePhotos.withExif(plain, 6, ByteOrder.BIG_ENDIAN);
        assertThat(Orientation.ofJpeg(Arrays.copyOf(cut, 20))).isEqualTo(Orientation.UPRIGHT);
        assertThat(Orientation.ofJpeg(new byte[] {(byte) 0xff, (byte) 0xd8})).isEqualTo(Orientation.UPRIGHT);
    }

    static void assertSamePixels(Pixels actual, Pixels expected, String what) {
        assertThat(new int[] {actual.width(), actual.height(), actual.channels()}).as(what)
                .containsExactly(expected.width(), expected.height(), expected.channels());
        assertThat(actual.values()).as(what).isEqualTo(expected.values());
    }

    static byte[] jpeg(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpeg", out);
        return out.toByteArray();
    }

    static BufferedImage picture(Pixels pixels) {
        BufferedImage image = new BufferedImage(pixels.width(), pixels.height(), BufferedImage.TYPE_3BYTE_BGR);
        int plane = pixels.width() * pixels.height();
        for (int p = 0; p < plane; p++) {
            int rgb = (pixels.values()[p] & 0xff) << 16 | (pixels.values()[plane + p] & 0xff) << 8 | (pixels.values()[2 * plane + p] & 0xff);
            image.setRGB(p % pixels.width(), p / pixels.width(), rgb);
        }
        return image;
    }

    static Pixels planar(DecodedImage image) {
        return switch (image) {
            case Pixels p -> p;
            case DecodedImage.Picture(BufferedImage picture) -> planar(picture);
        };
    }

    static Pixels planar(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] values = new byte[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                values[y * w + x] = (byte) (rgb >> 16);
                values[w * h + y * w + x] = (byte) (rgb >> 8);
                values[2 * w * h + y * w + x] = (byte) rgb;
            }
        }
        return new Pixels(w, h, 3, values);
    }

    static double meanDifference(Pixels a, Pixels b) {
        long sum = 0;
        for (int i = 0; i < a.values().length; i++) {
            sum += Math.abs((a.values()[i] & 0xff) - (b.values()[i] & 0xff));
        }
        return (double) sum / a.values().length;
    }
}
