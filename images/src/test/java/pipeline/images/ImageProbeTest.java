package pipeline.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ImageProbeTest {

    static final ImageProbe PROBE = new ImageProbe(4096L * 4096);

    @ParameterizedTest(name = "{0}")
    @CsvSource({"png, PNG", "jpg, JPEG", "bmp, BMP", "gif, GIF"})
    void theFormatComesFromTheBytesAndTheSizeFromTheHeader(String writer, ImageProbe.Format format) throws Exception {
        byte[] bytes = encode(new BufferedImage(37, 21, BufferedImage.TYPE_3BYTE_BGR), writer);

        ImageProbe.Header header = PROBE.header(bytes);

        assertThat(header).isEqualTo(new ImageProbe.Header(format, 37, 21));
        assertThat(PROBE.decode(bytes).width()).isEqualTo(37);
    }

    @Test
    void aDecompressionBombIsRefusedFromItsHeaderAlone() throws Exception {
        byte[] bomb = pngDeclaring(100_000, 100_000);

        long start = System.nanoTime();
        assertThatThrownBy(() -> PROBE.decode(bomb))
                .isInstanceOfSatisfying(ImageProbe.RejectedImage.class,
                        e -> assertThat(e.reason()).isEqualTo(ImageProbe.RejectedImage.Reason.IMAGE_TOO_LARGE))
                .hasMessageContaining("declares 100000×100000 pixels; at most 16777216 are accepted");
        assertThat(System.nanoTime() - start).as("refused without decoding").isLessThan(1_000_000_000L);
    }

    @Test
    void bytesOfNoImageFormatAreNamedByTheirFirstBytes() {
        assertThatThrownBy(() -> PROBE.header("%PDF-1.7 ...".getBytes()))
                .isInstanceOfSatisfying(ImageProbe.RejectedImage.class,
                        e -> assertThat(e.reason()).isEqualTo(ImageProbe.RejectedImage.Reason.UNSUPPORTED_FORMAT))
                .hasMessageContaining("not PNG, JPEG, BMP, GIF, TIFF or WebP: they start with 25 50 44 46");
    }

    /**
     * Decoding reads from memory, never through ImageIO's file cache, whose shutdown hook closes open
     * cached streams under a stopping worker: with the cache on and its directory gone, a cached stream
     * cannot even be made, and the image still decodes.
     */
    @Test
    void decodingNeverUsesImageIosFileCache() throws Exception {
        byte[] bmp = encode(new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY), "bmp");
        java.io.File cache = java.nio.file.Files.createTempDirectory("imageio-cache").toFile();
        boolean used = ImageIO.getUseCache();
        java.io.File directory = ImageIO.getCacheDirectory();
        try {
            ImageIO.setUseCache(true);
            ImageIO.setCacheDirectory(cache);
            assertThat(cache.delete()).isTrue();

            assertThat(PROBE.decode(bmp)).isInstanceOf(DecodedImage.Picture.class);
        } finally {
            ImageIO.setCacheDirectory(directory);
            ImageIO.setUseCache(used);
        }
    }

    @Test
    void aTruncatedImageIsUndecodable() throws Exception {
        byte[] png = encode(new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY), "png");

        assertThatThrownBy(() -> PROBE.decode(Arrays.copyOf(png, 20)))
                .isInstanceOfSatisfying(ImageProbe.RejectedImage.class,
                        e -> assertThat(e.reason()).isEqualTo(ImageProbe.RejectedImage.Reason.UNDECODABLE_IMAGE));
    }

    @Test
    void aPngCutShortOrDamagedIsRefusedThoughImageIoWouldDecodeIt() throws Exception {
        byte[] png = encode(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY), "png");
        byte[] noEnd = Arrays.copyOf(png, png.length - 12);

        assertThat(ImageIO.read(new ByteArrayInputStream(noEnd))).as("ImageIO alone decodes it").isNotNull();
        assertThatThrownBy(() -> PROBE.decode(noEnd))
                .isInstanceOfSatisfying(ImageProbe.RejectedImage.class,
                        e -> assertThat(e.reason()).isEqualTo(ImageProbe.RejectedImage.Reason.UNDECODABLE_IMAGE))
                .hasMessageContaining("IEND");
        assertThat(PROBE.decode(png).width()).isEqualTo(28);

        byte[] flipped = png.clone();
        flipped[png.length - 20] ^= 0x10;
        assertThatThrownBy(() -> PROBE.decode(flipped)).hasMessageContaining("fails its CRC");
    }

    @Test
    void aJpegCutShortIsRefusedThoughItsDecoderOnlyWarns() throws Exception {
        BufferedImage picture = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < 64; i++) {
            picture.getRaster().setSample(i, (i * 7) % 64, 0, 255);
        }
        byte[] jpeg = encode(picture, "jpg");
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length * 2 / 3);

        assertThat(PROBE.header(cut).width()).as("the header is intact").isEqualTo(64);
        assertThatThrownBy(() -> PROBE.decode(cut))
                .isInstanceOfSatisfying(ImageProbe.RejectedImage.class,
                        e -> assertThat(e.reason()).isEqualTo(ImageProbe.RejectedImage.Reason.UNDECODABLE_IMAGE))
                .hasMessageContaining("damaged");
    }

    /** A real 1×1 PNG whose header is rewritten (with a valid CRC) to declare another size. */
    static byte[] pngDeclaring(int width, int height) throws IOException {
        byte[] png = encode(new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY), "png");
        // Signature (8), IHDR length (4), "IHDR" (4) at 12, width at 16, height at 20, CRC at 29.
        ByteBuffer.wrap(png).putInt(16, width).putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17);
        ByteBuffer.wrap(png).putInt(29, (int) crc.getValue());
        return png;
    }

    static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, out)).as("a %s writer exists", format).isTrue();
        return out.toByteArray();
    }
}
