package pipeline.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fast path against ImageIO on the same bytes: PNGs written here with every filter type on
 * every colour type it reads, and PNGs ImageIO's own writer chose the filters for.
 */
class PngReaderTest {

    private static final ImageProbe PROBE = new ImageProbe(4096L * 4096);

    @ParameterizedTest(name = "colour type {0}, {1}×{2}")
    @CsvSource({"0, 28, 28", "0, 1, 1", "0, 7, 3", "2, 28, 28", "2, 5, 9", "4, 13, 6", "6, 28, 28", "6, 1, 17"})
    void everyFilterOnEveryColourTypeDecodesAsImageIoDoes(int colourType, int width, int height) throws Exception {
        assertSameAsImageIo(png(colourType, width, height, noise(width, height, colourType, 5), row -> row % 5));
        for (int filter = 0; filter <= 4; filter++) {
            int each = filter;
            assertSameAsImageIo(png(colourType, width, height, noise(width, height, colourType, filter), row -> each));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"TYPE_BYTE_GRAY", "TYPE_3BYTE_BGR", "TYPE_INT_ARGB", "TYPE_INT_RGB"})
    void imageIosOwnPngsDecodeAsImageIoDoes(String type) throws Exception {
        BufferedImage image = new BufferedImage(61, 47, BufferedImage.class.getField(type).getInt(null));
        Random random = new Random(7);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                // Smooth areas and noise, so the writer picks different filters for different rows.
                int smooth = (x * 4 + y * 3) & 0xff;
                image.setRGB(x, y, y % 3 == 0 ? random.nextInt() | 0xff000000 : 0xff000000 | smooth << 16 | (255 - smooth) << 8 | smooth / 2);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);

        assertThat(assertSameAsImageIo(out.toByteArray())).isInstanceOf(Pixels.class);
    }

    @Test
    void sixteenBitAndPalettedPngsGoToImageIo() throws Exception {
        BufferedImage grey16 = new BufferedImage(9, 9, BufferedImage.TYPE_USHORT_GRAY);
        BufferedImage paletted = new BufferedImage(9, 9, BufferedImage.TYPE_BYTE_INDEXED);
        for (BufferedImage image : new BufferedImage[] {grey16, paletted}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);

            assertThat(PROBE.decode(out.toByteArray())).isInstanceOf(DecodedImage.Picture.class);
        }
    }

    @Test
    void interlacedAndPalettedPngsDecodeToTheirColours() throws Exception {
        BufferedImage rgb = new BufferedImage(13, 11, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(7);
        for (int y = 0; y < 11; y++) {
            for (int x = 0; x < 13; x++) {
                rgb.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        BufferedImage paletted = new BufferedImage(13, 11, BufferedImage.TYPE_BYTE_INDEXED);
        paletted.getGraphics().drawImage(rgb, 0, 0, null);
        for (BufferedImage image : new BufferedImage[] {rgb, paletted}) {
            // Adam7: seven passes over the picture, each its own run of filtered rows.
            ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
                writer.setOutput(stream);
                writer.write(null, new IIOImage(image, null, null), param);
            } finally {
                writer.dispose();
            }
            byte[] png = out.toByteArray();
            assertThat(png[8 + 8 + 12]).as("IHDR's interlace method").isEqualTo((byte) 1);

            DecodedImage decoded = PROBE.decode(png);
            for (int y = 0; y < 11; y++) {
                for (int x = 0; x < 13; x++) {
                    assertThat(rgb(decoded, x, y)).as("(%d, %d)", x, y).isEqualTo(image.getRGB(x, y) & 0xffffff);
                }
            }
        }
    }

    @Test
    void transparentPixelsAreWhiteOnTheFastPathAndThroughImageIo() throws Exception {
        // Black where fully transparent, as many encoders store it.
        BufferedImage rgba = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        rgba.setRGB(0, 0, 0xff102030);
        byte[] indexedAlpha = {(byte) 255, 0};
        BufferedImage paletted = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(1, 2,
                new byte[] {0x10, 0}, new byte[] {0x20, 0}, new byte[] {0x30, 0}, indexedAlpha));
        for (int x = 1; x < 4; x++) {
            paletted.getRaster().setSample(x, 0, 0, 1);
        }
        for (BufferedImage image : new BufferedImage[] {rgba, paletted}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            DecodedImage decoded = PROBE.decode(out.toByteArray());

            int opaque = rgb(decoded, 0, 0);
            int transparent = rgb(decoded, 3, 0);
            assertThat(opaque).as("%s, an opaque pixel", decoded.getClass().getSimpleName()).isEqualTo(0x102030);
            assertThat(transparent).as("%s, a transparent pixel", decoded.getClass().getSimpleName()).isEqualTo(0xffffff);
        }
    }

    private static int rgb(DecodedImage image, int x, int y) {
        return switch (image) {
            case Pixels p -> (p.values()[y * p.width() + x] & 0xff) << 16
                    | (p.values()[p.width() * p.height() + y * p.width() + x] & 0xff) << 8
                    | (p.values()[2 * p.width() * p.height() + y * p.width() + x] & 0xff);
            case DecodedImage.Picture(BufferedImage picture) -> picture.getRGB(x, y) & 0xffffff;
        };
    }

    @Test
    void imageDataShorterOrLongerThanTheHeaderSaysIsRefused() throws Exception {
        byte[] rows = noise(8, 8, 0, 0);
        byte[] shortData = png(0, 8, 9, rows, row -> 0);
        byte[] longData = png(0, 8, 7, rows, row -> 0);

        assertThatThrownBy(() -> PROBE.decode(shortData)).hasMessageContaining("ends after 72 of the 81 bytes");
        assertThatThrownBy(() -> PROBE.decode(longData)).hasMessageContaining("holds more than the 63 bytes");
    }

    @Test
    void anUnknownFilterTypeIsRefused() throws Exception {
        byte[] png = png(0, 4, 2, noise(4, 2, 0, 0), row -> row == 1 ? 7 : 0);

        assertThatThrownBy(() -> PROBE.decode(png))
                .isInstanceOfSatisfying(ImageProbe.RejectedImage.class,
                        e -> assertThat(e.reason()).isEqualTo(ImageProbe.RejectedImage.Reason.UNDECODABLE_IMAGE))
                .hasMessageContaining("row 1 has filter type 7; PNG's are 0 to 4");
    }

    @Test
    void imageDataThatDoesNotInflateIsRefused() throws Exception {
        byte[] png = png(0, 4, 2, noise(4, 2, 0, 0), row -> 0);
        int idat = indexOf(png, "IDAT");
        png[idat] = 0x00;
        png[idat + 1] = 0x00;
        fixCrc(png, idat - 8);

        assertThatThrownBy(() -> PROBE.decode(png)).hasMessageContaining("does not inflate");
    }

    /** Decodes with the probe and with ImageIO alone; the values must be the same. */
    private static DecodedImage assertSameAsImageIo(byte[] png) throws Exception {
        DecodedImage decoded = PROBE.decode(png);
        BufferedImage reference = ImageIO.read(new ByteArrayInputStream(png));
        Pixels pixels = (Pixels) decoded;
        int plane = reference.getWidth() * reference.getHeight();
        assertThat(pixels.width()).isEqualTo(reference.getWidth());
        assertThat(pixels.height()).isEqualTo(reference.getHeight());
        boolean grey = reference.getColorModel().getNumColorComponents() == 1;
        boolean transparency = reference.getColorModel().hasAlpha();
        assertThat(pixels.channels()).isEqualTo(grey ? 1 : 3);
        for (int y = 0; y < reference.getHeight(); y++) {
            for (int x = 0; x < reference.getWidth(); x++) {
                int at = y * reference.getWidth() + x;
                // Transparency composited on white.
                if (grey) {
                    int alpha = transparency ? reference.getRaster().getSample(x, y, 1) : 255;
                    assertThat(pixels.values()[at] & 0xff).as("grey at %d,%d", x, y)
                            .isEqualTo(onWhite(reference.getRaster().getSample(x, y, 0), alpha));
                } else {
                    int rgb = reference.getRGB(x, y);
                    for (int c = 0; c < 3; c++) {
                        assertThat(pixels.values()[c * plane + at] & 0xff).as("channel %d at %d,%d", c, x, y)
                                .isEqualTo(onWhite((rgb >> (16 - 8 * c)) & 0xff, transparency ? rgb >>> 24 : 255));
                    }
                }
            }
        }
        return decoded;
    }

    /** The reference composite, written out here rather than taken from the code under test. */
    private static int onWhite(int value, int alpha) {
        return Math.round((value * alpha + 255f * (255 - alpha)) / 255f);
    }

    /** Unfiltered rows of random samples, seeded by what they are for. */
    private static byte[] noise(int width, int height, int colourType, int seed) {
        byte[] raw = new byte[width * height * samples(colourType)];
        new Random(31L * colourType + seed).nextBytes(raw);
        return raw;
    }

    private static int samples(int colourType) {
        return switch (colourType) {
            case 0 -> 1;
            case 4 -> 2;
            case 2 -> 3;
            default -> 4;
        };
    }

    /**
     * A PNG of {@code raw} samples (as many rows of {@code width} as they fill; {@code height} is what
     * IHDR declares), row {@code y} filtered with type {@code filterOf(y)} (types above 4 written as is).
     */
    private static byte[] png(int colourType, int width, int height, byte[] raw, java.util.function.IntUnaryOperator filterOf)
            throws IOException {
        int bpp = samples(colourType);
        int stride = width * bpp;
        int rows = raw.length / stride;
        ByteArrayOutputStream filtered = new ByteArrayOutputStream();
        for (int y = 0; y < rows; y++) {
            int filter = filterOf.applyAsInt(y);
            filtered.write(filter);
            for (int i = 0; i < stride; i++) {
                int a = i >= bpp ? raw[y * stride + i - bpp] & 0xff : 0;
                int b = y > 0 ? raw[(y - 1) * stride + i] & 0xff : 0;
                int c = i >= bpp && y > 0 ? raw[(y - 1) * stride + i - bpp] & 0xff : 0;
                int predicted = switch (filter) {
                    case 1 -> a;
                    case 2 -> b;
                    case 3 -> (a + b) / 2;
                    case 4 -> paeth(a, b, c);
                    default -> 0;
                };
                filtered.write((raw[y * stride + i] - predicted) & 0xff);
            }
        }
        Deflater deflater = new Deflater();
        deflater.setInput(filtered.toByteArray());
        deflater.finish();
        byte[] compressed = new byte[filtered.size() * 2 + 64];
        int length = deflater.deflate(compressed);
        deflater.end();

        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a});
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) colourType)
                .put((byte) 0).put((byte) 0).put((byte) 0).array());
        // Two IDAT chunks: the stream must be read across them.
        chunk(png, "IDAT", java.util.Arrays.copyOfRange(compressed, 0, length / 2));
        chunk(png, "IDAT", java.util.Arrays.copyOfRange(compressed, length / 2, length));
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    /** PNG 9.4, written independently of the reader's. */
    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        if (pa <= pb && pa <= pc) {
            return a;
        }
        return pb <= pc ? b : c;
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) throws IOException {
        byte[] typed = new byte[4 + data.length];
        System.arraycopy(type.getBytes(StandardCharsets.ISO_8859_1), 0, typed, 0, 4);
        System.arraycopy(data, 0, typed, 4, data.length);
        CRC32 crc = new CRC32();
        crc.update(typed);
        png.write(ByteBuffer.allocate(4).putInt(data.length).array());
        png.write(typed);
        png.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** Where the data of the first chunk of {@code type} starts. */
    private static int indexOf(byte[] png, String type) {
        byte[] name = type.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i + 4 <= png.length; i++) {
            if (png[i] == name[0] && png[i + 1] == name[1] && png[i + 2] == name[2] && png[i + 3] == name[3]) {
                return i + 4;
            }
        }
        throw new AssertionError(type + " not found");
    }

    /** Rewrites the CRC of the chunk whose length field is at {@code at}. */
    private static void fixCrc(byte[] png, int at) {
        int length = ByteBuffer.wrap(png).getInt(at);
        CRC32 crc = new CRC32();
        crc.update(png, at + 4, 4 + length);
        ByteBuffer.wrap(png).putInt(at + 8 + length, (int) crc.getValue());
    }
}
