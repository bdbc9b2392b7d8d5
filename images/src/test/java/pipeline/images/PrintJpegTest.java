package pipeline.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;

/**
 * JPEGs from print workflows hold CMYK ink, stored as Photoshop writes it (an Adobe marker, inverted
 * samples) either plainly or as YCCK: converted to RGB rather than refused, with the format's usual checks.
 */
class PrintJpegTest {

    final ImageProbe probe = new ImageProbe(1 << 20);

    @Test
    void cmykAndYcckJpegsDecodeToTheColoursTheirInkMakes() throws Exception {
        BufferedImage source = ImageIO.read(DeviceFormatsTest.RESOURCES.resolve("webp-source.png").toFile());
        byte[] cmyk = adobeJpeg(source, false);
        byte[] ycck = adobeJpeg(source, true);

        for (byte[] jpeg : new byte[][] {cmyk, ycck}) {
            assertThat(probe.header(jpeg)).isEqualTo(new ImageProbe.Header(ImageProbe.Format.JPEG, 40, 30));
            DecodedImage decoded = probe.decode(jpeg);
            assertThat(((DecodedImage.Picture) decoded).image().getColorModel().getNumComponents()).isEqualTo(3);
            // Without an embedded profile the ink converts back by the same formula that separated it.
            assertThat(DeviceFormatsTest.meanDifference(decoded, source)).isLessThan(4);
        }
        assertThat(DeviceFormatsTest.meanDifference(probe.decode(ycck),
                ((DecodedImage.Picture) probe.decode(cmyk)).image())).as("one ink, two encodings").isLessThan(4);
    }

    @Test
    void aCmykJpegCutShortIsRefused() throws Exception {
        BufferedImage source = ImageIO.read(DeviceFormatsTest.RESOURCES.resolve("webp-source.png").toFile());
        byte[] cmyk = adobeJpeg(source, false);
        byte[] cut = Arrays.copyOf(cmyk, cmyk.length / 2);

        assertThatThrownBy(() -> probe.decode(cut))
                .isInstanceOfSatisfying(ImageProbe.RejectedImage.class,
                        e -> assertThat(e.reason()).isEqualTo(ImageProbe.RejectedImage.Reason.UNDECODABLE_IMAGE))
                .hasMessageContaining("JPEG");
    }

    /**
     * The picture as Photoshop stores it for print: its CMYK ink, each sample inverted, after an Adobe APP14
     * marker whose transform says plain CMYK (0) or YCCK (2: C, M, Y stored as YCbCr, as libjpeg encodes it).
     */
    static byte[] adobeJpeg(BufferedImage picture, boolean ycck) throws IOException {
        int w = picture.getWidth();
        int h = picture.getHeight();
        WritableRaster samples = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = picture.getRGB(x, y);
                int r = rgb >> 16 & 0xff;
                int g = rgb >> 8 & 0xff;
                int b = rgb & 0xff;
                // Ink as print separates it: K = 1 − max(R,G,B), C = (1 − R − K)/(1 − K), so too M, Y (0–255 here).
                int k = 255 - Math.max(r, Math.max(g, b));
                int c = ink(r, k);
                int m = ink(g, k);
                int yellow = ink(b, k);
                // Stored inverted; YCCK holds libjpeg's YCbCr of (255 − stored C, M, Y), which is the ink itself.
                int[] pixel = ycck ? new int[] {luma(c, m, yellow), blueChroma(c, m, yellow), redChroma(c, m, yellow), 255 - k}
                        : new int[] {255 - c, 255 - m, 255 - yellow, 255 - k};
                samples.setPixel(x, y, pixel);
            }
        }
        // The JDK's writer stores a four-band raster's samples as they are, with no colour marker.
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(1f);
            writer.write(null, new IIOImage(samples, null, null), param);
        } finally {
            writer.dispose();
        }
        byte[] plain = bytes.toByteArray();
        byte[] adobe = {(byte) 0xff, (byte) 0xee, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, (byte) (ycck ? 2 : 0)};
        byte[] marked = new byte[plain.length + adobe.length];
        System.arraycopy(plain, 0, marked, 0, 2);
        System.arraycopy(adobe, 0, marked, 2, adobe.length);
        System.arraycopy(plain, 2, marked, 2 + adobe.length, plain.length - 2);
        return marked;
    }

    private static int ink(int light, int k) {
        return k == 255 ? 0 : Math.round(255f * (255 - light - k) / (255 - k));
    }

    private static int luma(int r, int g, int b) {
        return clamp(Math.round(0.299f * r + 0.587f * g + 0.114f * b));
    }

    private static int blueChroma(int r, int g, int b) {
        return clamp(Math.round(128 - 0.168736f * r - 0.331264f * g + 0.5f * b));
    }

    private static int redChroma(int r, int g, int b) {
        return clamp(Math.round(128 + 0.5f * r - 0.418688f * g - 0.081312f * b));
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
