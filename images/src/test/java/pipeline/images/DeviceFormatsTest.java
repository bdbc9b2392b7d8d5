package pipeline.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;

/**
 * What scanners and phones write besides PNG and JPEG: TIFF (every common compression, the first page of
 * several) and WebP (lossy and lossless, made by {@code make-webp.sh}), sniffed, size-checked and decoded.
 */
class DeviceFormatsTest {

    static final Path RESOURCES = Path.of("src/test/resources");

    final ImageProbe probe = new ImageProbe(1 << 20);

    @Test
    void tiffsDecodeWithEveryCommonCompressionAndTheFirstPageIsRead() throws Exception {
        BufferedImage source = ImageIO.read(RESOURCES.resolve("webp-source.png").toFile());
        for (String compression : new String[] {null, "LZW", "Deflate", "PackBits"}) {
            byte[] tiff = tiff(compression, source);

            assertThat(ImageProbe.Format.sniff(tiff)).isEqualTo(ImageProbe.Format.TIFF);
            assertThat(probe.header(tiff)).isEqualTo(new ImageProbe.Header(ImageProbe.Format.TIFF, 40, 30));
            assertThat(meanDifference(probe.decode(tiff), source)).as("TIFF, %s", compression).isZero();
        }
        BufferedImage second = new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB);
        byte[] pages = tiff("LZW", source, second);
        assertThat(probe.header(pages).width()).as("the first page").isEqualTo(40);
        assertThat(meanDifference(probe.decode(pages), source)).isZero();
    }

    @Test
    void webpsDecodeLossyAndLossless() throws Exception {
        BufferedImage source = ImageIO.read(RESOURCES.resolve("webp-source.png").toFile());
        byte[] lossless = Files.readAllBytes(RESOURCES.resolve("lossless.webp"));
        byte[] lossy = Files.readAllBytes(RESOURCES.resolve("lossy.webp"));

        assertThat(ImageProbe.Format.sniff(lossy)).isEqualTo(ImageProbe.Format.WEBP);
        assertThat(probe.header(lossy)).isEqualTo(new ImageProbe.Header(ImageProbe.Format.WEBP, 40, 30));
        assertThat(meanDifference(probe.decode(lossless), source)).isZero();
        assertThat(meanDifference(probe.decode(lossy), source)).isLessThan(4);
    }

    @Test
    void damagedFilesAreRefusedAndNamed() throws Exception {
        byte[] webp = Files.readAllBytes(RESOURCES.resolve("lossy.webp"));
        byte[] tiff = tiff("LZW", ImageIO.read(RESOURCES.resolve("webp-source.png").toFile()));
        for (byte[] cut : new byte[][] {Arrays.copyOf(webp, webp.length / 2), Arrays.copyOf(tiff, tiff.length / 3)}) {
            assertThatThrownBy(() -> probe.decode(cut)).isInstanceOf(ImageProbe.RejectedImage.class)
                    .satisfies(e -> assertThat(((ImageProbe.RejectedImage) e).reason())
                            .isEqualTo(ImageProbe.RejectedImage.Reason.UNDECODABLE_IMAGE));
        }
        assertThatThrownBy(() -> new ImageProbe(100).header(tiff)).as("refused from the header alone")
                .hasMessageContaining("the TIFF declares 40×30 pixels; at most 100");
        assertThatThrownBy(() -> new ImageProbe(100).header(webp)).hasMessageContaining("the WebP declares 40×30 pixels");
    }

    /** The pictures as one TIFF, a page each, with {@code compression} ({@code null}: none). */
    static byte[] tiff(String compression, BufferedImage... pages) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("tiff").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (compression != null) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionType(compression);
            }
            writer.prepareWriteSequence(null);
            for (BufferedImage page : pages) {
                writer.writeToSequence(new IIOImage(page, null, null), param);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    static double meanDifference(DecodedImage decoded, BufferedImage expected) {
        BufferedImage image = ((DecodedImage.Picture) decoded).image();
        assertThat(new int[] {image.getWidth(), image.getHeight()}).containsExactly(expected.getWidth(), expected.getHeight());
        long sum = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int a = image.getRGB(x, y);
                int b = expected.getRGB(x, y);
                for (int shift = 0; shift < 24; shift += 8) {
                    sum += Math.abs((a >> shift & 0xff) - (b >> shift & 0xff));
                }
            }
        }
        return (double) sum / (3.0 * image.getWidth() * image.getHeight());
    }
}
