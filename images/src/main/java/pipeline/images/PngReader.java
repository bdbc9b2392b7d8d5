package pipeline.images;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * PNG read straight from its bytes (ISO/IEC 15948): the chunk walk every PNG passes (each chunk fits,
 * matches its CRC-32, IHDR first, IEND last), and the fast path for the PNGs feeds mostly send —
 * 8 bits per sample, grey, RGB, grey+alpha or RGBA, not interlaced — inflated and unfiltered into
 * {@link Pixels} with no {@code BufferedImage} in between. Transparent pixels are composited on white,
 * as a viewer on a white page shows them (their stored colour is often black, or anything).
 * Other PNGs (16-bit, palette, interlaced) pass the same walk and go to ImageIO.
 */
final class PngReader {

    /** Colour types (PNG 11.2.2) the fast path reads, by samples per pixel. */
    private static final int GREY = 0;
    private static final int RGB = 2;
    private static final int GREY_ALPHA = 4;
    private static final int RGBA = 6;

    /** One inflater per decoding thread, reset per image: making one costs more than a small PNG's inflate. */
    private static final ThreadLocal<Inflater> INFLATERS = ThreadLocal.withInitial(Inflater::new);

    /** What IHDR says, and where the image data is. */
    record Chunks(int width, int height, int bitDepth, int colourType, int interlace, List<int[]> imageData) {

        /** Whether {@link #decode} reads these pixels itself. */
        boolean fast() {
            return bitDepth == 8 && interlace == 0 && (colourType == GREY || colourType == RGB
                    || colourType == GREY_ALPHA || colourType == RGBA);
        }

        /** Samples per pixel in the file: 1, 2, 3 or 4. */
        int samples() {
            return switch (colourType) {
                case GREY -> 1;
                case GREY_ALPHA -> 2;
                case RGB -> 3;
                default -> 4;
            };
        }
    }

    private PngReader() {
    }

    /** Width and height from IHDR, which must be the first chunk and intact; nothing else is read. */
    static int[] size(byte[] png) throws ImageProbe.RejectedImage {
        if (png.length < 8 + 12 + 13 || !type(png, 12).equals("IHDR") || ByteBuffer.wrap(png).getInt(8) != 13) {
            throw damaged("it does not start with a 13-byte IHDR chunk");
        }
        checkCrc(png, 8, 13);
        return new int[] {ByteBuffer.wrap(png).getInt(16), ByteBuffer.wrap(png).getInt(20)};
    }

    /**
     * ImageIO neither checks a PNG's chunk CRCs nor looks for its end, so a damaged or cut-short PNG can
     * decode to wrong pixels. Walks the chunks: each must fit, match its CRC-32, and the last be IEND.
     */
    static Chunks chunks(byte[] png) throws ImageProbe.RejectedImage {
        int[] size = size(png);
        ByteBuffer in = ByteBuffer.wrap(png);
        List<int[]> imageData = new ArrayList<>();
        int at = 8;
        while (at + 12 <= png.length) {
            long length = in.getInt(at) & 0xffffffffL;
            if (at + 12 + length > png.length) {
                break;
            }
            checkCrc(png, at, (int) length);
            String type = type(png, at + 4);
            if (type.equals("IDAT")) {
                imageData.add(new int[] {at + 8, (int) length});
            }
            at += 12 + (int) length;
            if (type.equals("IEND")) {
                return new Chunks(size[0], size[1], png[24] & 0xff, png[25] & 0xff, png[28] & 0xff, imageData);
            }
        }
        throw new ImageProbe.RejectedImage(ImageProbe.RejectedImage.Reason.UNDECODABLE_IMAGE, "the PNG is cut short: its chunks end at byte "
                + at + " of " + png.length + " without an IEND chunk");
    }

    /** The pixels of a {@linkplain Chunks#fast() fast} PNG whose chunks were checked. */
    static Pixels decode(byte[] png, Chunks chunks) throws ImageProbe.RejectedImage {
        int samples = chunks.samples();
        int width = chunks.width();
        int height = chunks.height();
        int stride = 1 + width * samples;
        byte[] rows = inflate(png, chunks.imageData(), new byte[height * stride]);
        unfilter(rows, height, stride, samples);
        int channels = samples <= 2 ? 1 : 3;
        byte[] values = new byte[channels * height * width];
        int plane = height * width;
        boolean alpha = samples == 2 || samples == 4;
        for (int y = 0; y < height; y++) {
            int from = y * stride + 1;
            for (int x = 0; x < width; x++) {
                int pixel = from + x * samples;
                int a = alpha ? rows[pixel + channels] & 0xff : 255;
                for (int c = 0; c < channels; c++) {
                    values[c * plane + y * width + x] = (byte) onWhite(rows[pixel + c] & 0xff, a);
                }
            }
        }
        return new Pixels(width, height, channels, values);
    }

    /** The zlib stream spread over the IDAT chunks, which must fill {@code rows} exactly. */
    private static byte[] inflate(byte[] png, List<int[]> imageData, byte[] rows) throws ImageProbe.RejectedImage {
        Inflater inflater = INFLATERS.get();
        inflater.reset();
        int filled = 0;
        try {
            for (int[] chunk : imageData) {
                inflater.setInput(png, chunk[0], chunk[1]);
                while (!inflater.needsInput() && !inflater.finished()) {
                    if (filled == rows.length) {
                        if (inflater.inflate(new byte[1]) > 0) {
                            throw damaged("its image data holds more than the " + rows.length + " bytes its header implies");
                        }
                        break;
                    }
                    int n = inflater.inflate(rows, filled, rows.length - filled);
                    if (n == 0 && inflater.needsDictionary()) {
                        throw damaged("its image data asks for a preset dictionary");
                    }
                    filled += n;
                }
            }
        } catch (DataFormatException e) {
            throw damaged("its image data does not inflate (" + e.getMessage() + ")");
        }
        if (filled < rows.length) {
            throw damaged("its image data ends after " + filled + " of the " + rows.length + " bytes its header implies");
        }
        return rows;
    }

    /** A level {@code value} of opacity {@code alpha} (0–255) over white, rounded: what a viewer shows on a white page. */
    static int onWhite(int value, int alpha) {
        return (value * alpha + 255 * (255 - alpha) + 127) / 255;
    }

    /**
     * Undoes each row's filter (PNG 9.2) in place; {@code bpp} bytes per pixel. Row {@code y} is
     * {@code rows[y·stride]} (the filter type) then its bytes; the row above an image's first is zeros.
     */
    static void unfilter(byte[] rows, int height, int stride, int bpp) throws ImageProbe.RejectedImage {
        int n = stride - 1;
        for (int y = 0; y < height; y++) {
            int row = y * stride + 1;
            int above = row - stride;
            boolean first = y == 0;
            switch (rows[row - 1]) {
                case 0 -> { }
                case 1 -> {
                    for (int i = bpp; i < n; i++) {
                        rows[row + i] += rows[row + i - bpp];
                    }
                }
                case 2 -> {
                    for (int i = 0; i < n && !first; i++) {
                        rows[row + i] += rows[above + i];
                    }
                }
                case 3 -> {
                    for (int i = 0; i < n; i++) {
                        int a = i >= bpp ? rows[row + i - bpp] & 0xff : 0;
                        int b = first ? 0 : rows[above + i] & 0xff;
                        rows[row + i] += (byte) ((a + b) >>> 1);
                    }
                }
                case 4 -> {
                    for (int i = 0; i < n; i++) {
                        int a = i >= bpp ? rows[row + i - bpp] & 0xff : 0;
                        int b = first ? 0 : rows[above + i] & 0xff;
                        int c = i >= bpp && !first ? rows[above + i - bpp] & 0xff : 0;
                        rows[row + i] += (byte) paeth(a, b, c);
                    }
                }
                default -> throw damaged("row " + y + " has filter type " + (rows[row - 1] & 0xff) + "; PNG's are 0 to 4");
            }
        }
    }

    /** The neighbour (left, above, upper left) nearest to {@code a + b − c}, ties in that order. */
    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void checkCrc(byte[] png, int at, int length) throws ImageProbe.RejectedImage {
        CRC32 crc = new CRC32();
        crc.update(png, at + 4, 4 + length);
        if ((int) crc.getValue() != ByteBuffer.wrap(png).getInt(at + 8 + length)) {
            throw damaged("chunk " + type(png, at + 4) + " at byte " + at + " fails its CRC");
        }
    }

    private static String type(byte[] png, int at) {
        return new String(png, at, 4, StandardCharsets.ISO_8859_1);
    }

    private static ImageProbe.RejectedImage damaged(String why) {
        return new ImageProbe.RejectedImage(ImageProbe.RejectedImage.Reason.UNDECODABLE_IMAGE, "the PNG is damaged: " + why);
    }
}
