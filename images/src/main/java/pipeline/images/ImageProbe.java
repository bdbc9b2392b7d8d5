package pipeline.images;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Checks untrusted image bytes before decoding them: the real format comes from the bytes' magic
 * numbers (not from a declared content type), and the dimensions from the header, so an image
 * declaring a huge size (a decompression bomb: a few KB that would decode to gigabytes) is refused
 * before a single pixel is allocated.
 */
public final class ImageProbe {

    /** Formats accepted, with their media types and magic numbers. */
    public enum Format {
        PNG("PNG", "image/png"), JPEG("JPEG", "image/jpeg"), BMP("BMP", "image/bmp"), GIF("GIF", "image/gif"),
        TIFF("TIFF", "image/tiff"), WEBP("WebP", "image/webp");

        private final String title;
        private final String mediaType;

        Format(String title, String mediaType) {
            this.title = title;
            this.mediaType = mediaType;
        }

        public String mediaType() {
            return mediaType;
        }

        /** The format of a media type ({@code image/png}), or {@code null}. */
        public static Format ofMediaType(String mediaType) {
            for (Format format : values()) {
                if (format.mediaType.equals(mediaType)) {
                    return format;
                }
            }
            return null;
        }

        /** Every format by name, for messages: "PNG, JPEG, …, TIFF or WebP". */
        public static String names() {
            Format[] all = values();
            StringBuilder names = new StringBuilder();
            for (int i = 0; i < all.length; i++) {
                names.append(i == 0 ? "" : i == all.length - 1 ? " or " : ", ").append(all[i].title);
            }
            return names.toString();
        }

        @Override
        public String toString() {
            return title;
        }

        /** The format the bytes start like, or {@code null}. */
        public static Format sniff(byte[] bytes) {
            if (startsWith(bytes, 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a)) {
                return PNG;
            }
            if (startsWith(bytes, 0xff, 0xd8, 0xff)) {
                return JPEG;
            }
            if (startsWith(bytes, 'G', 'I', 'F', '8')) {
                return GIF;
            }
            if (startsWith(bytes, 'B', 'M')) {
                return BMP;
            }
            // Classic TIFF (42) and BigTIFF (43), either byte order.
            if (startsWith(bytes, 'I', 'I', 42, 0) || startsWith(bytes, 'M', 'M', 0, 42)
                    || startsWith(bytes, 'I', 'I', 43, 0) || startsWith(bytes, 'M', 'M', 0, 43)) {
                return TIFF;
            }
            if (startsWith(bytes, 'R', 'I', 'F', 'F') && bytes.length >= 12 && bytes[8] == 'W' && bytes[9] == 'E'
                    && bytes[10] == 'B' && bytes[11] == 'P') {
                return WEBP;
            }
            return null;
        }

        private static boolean startsWith(byte[] bytes, int... magic) {
            if (bytes.length < magic.length) {
                return false;
            }
            for (int i = 0; i < magic.length; i++) {
                if ((bytes[i] & 0xff) != magic[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Why an image was refused: a stable code for dead-letter records and HTTP errors, and a message. */
    public static final class RejectedImage extends Exception {
        public enum Reason { UNSUPPORTED_FORMAT, IMAGE_TOO_LARGE, UNDECODABLE_IMAGE }

        private final Reason reason;

        RejectedImage(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    /** What the header says. */
    public record Header(Format format, int width, int height) {}

    private final long maxPixels;

    /** @param maxPixels the most {@code width·height} accepted, e.g. 4096·4096 */
    public ImageProbe(long maxPixels) {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("the pixel limit must be positive; got " + maxPixels);
        }
        this.maxPixels = maxPixels;
    }

    /** Reads format and dimensions without decoding pixels (for a PNG, from its IHDR chunk alone). */
    public Header header(byte[] bytes) throws RejectedImage {
        Format format = format(bytes);
        if (format == Format.PNG) {
            int[] size = PngReader.size(bytes);
            return checked(new Header(format, size[0], size[1]));
        }
        return read(format, bytes, false).header();
    }

    /**
     * Checks the header, then decodes at full size: an 8-bit PNG straight from its bytes to {@link Pixels},
     * a JPEG with libjpeg-turbo when it is installed, anything else with ImageIO (the bytes are parsed once).
     * A JPEG comes out upright, as its EXIF orientation says.
     */
    public DecodedImage decode(byte[] bytes) throws RejectedImage {
        return decode(bytes, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /**
     * {@link #decode(byte[])} for an image that only has to be at least {@code minWidth}×{@code minHeight}
     * (a model's input): a JPEG decodes at the smallest of 1/8, 1/4, 1/2 or full size that is, which
     * costs a fraction of a full decode; other formats decode at full size.
     */
    public DecodedImage decode(byte[] bytes, int minWidth, int minHeight) throws RejectedImage {
        Format format = format(bytes);
        if (format == Format.PNG) {
            PngReader.Chunks png = PngReader.chunks(bytes);
            checked(new Header(format, png.width(), png.height()));
            if (png.fast()) {
                return PngReader.decode(bytes, png);
            }
        }
        if (format != Format.JPEG) {
            return new DecodedImage.Picture(read(format, bytes, true).image());
        }
        // A phone's portrait photo is stored sideways with an EXIF orientation: turned upright here.
        Orientation orientation = Orientation.ofJpeg(bytes);
        if (TurboJpeg.library().isPresent()) {
            Pixels pixels = TurboJpeg.library().get().decode(bytes, maxPixels, orientation.swapsSides() ? minHeight : minWidth,
                    orientation.swapsSides() ? minWidth : minHeight);
            if (pixels != null) {
                return orientation.upright(pixels);
            }
        }
        return new DecodedImage.Picture(orientation.upright(read(format, bytes, true).image()));
    }

    /** Decodes the whole image as cheaply as its format allows, to know that it decodes, and drops the pixels. */
    public void check(byte[] bytes) throws RejectedImage {
        decode(bytes, 1, 1);
    }

    private static Format format(byte[] bytes) throws RejectedImage {
        Format format = Format.sniff(bytes);
        if (format == null) {
            throw new RejectedImage(RejectedImage.Reason.UNSUPPORTED_FORMAT, "the bytes (" + bytes.length
                    + ") are not " + Format.names() + ": they start with " + hexStart(bytes));
        }
        return format;
    }

    /** The header, when its dimensions are within the limit. */
    private Header checked(Header header) throws RejectedImage {
        if (header.width() < 1 || header.height() < 1 || (long) header.width() * header.height() > maxPixels) {
            throw new RejectedImage(RejectedImage.Reason.IMAGE_TOO_LARGE, "the " + header.format() + " declares "
                    + header.width() + "×" + header.height() + " pixels; at most " + maxPixels + " are accepted");
        }
        return header;
    }

    private record Read(Header header, BufferedImage image) {}

    private Read read(Format format, byte[] bytes, boolean decode) throws RejectedImage {
        // In memory, never ImageIO's file cache: a cached stream is a temp file per image, and ImageIO's own
        // shutdown hook closes every open one while a stopping worker still decodes its last batch (a valid
        // image was dead-lettered as "Error reading PNG image data" that way).
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new RejectedImage(RejectedImage.Reason.UNDECODABLE_IMAGE, "no decoder accepts these " + format + " bytes");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                Header header = checked(new Header(format, reader.getWidth(0), reader.getHeight(0)));
                if (!decode) {
                    return new Read(header, null);
                }
                // Decoders warn, rather than fail, on some damage (a JPEG cut short decodes as grey below the cut);
                // a note about colour conversion (a CMYK JPEG without a profile) is not damage.
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> {
                    if (!isColourNote(warning)) {
                        warnings.add(warning);
                    }
                });
                BufferedImage image = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new RejectedImage(RejectedImage.Reason.UNDECODABLE_IMAGE, "the " + format + " is damaged: "
                            + String.join("; ", warnings));
                }
                return new Read(header, image.getColorModel().hasAlpha() ? onWhite(image) : image);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new RejectedImage(RejectedImage.Reason.UNDECODABLE_IMAGE, "the " + format + " cannot be read: " + e.getMessage());
        }
    }

    /**
     * Whether a decoder's warning is about colour management (TwelveMonkeys' JPEG reader: "No embedded ICC
     * color profile, … Colors may look incorrect", an ICC profile or Adobe marker it ignores), not about pixels.
     */
    private static boolean isColourNote(String warning) {
        return warning.contains("ICC") || warning.contains("Colors may look incorrect") || warning.contains("Adobe App14");
    }

    /**
     * A picture with transparency composited on white, as {@link PngReader} does it: grey+alpha stays grey
     * (read from the raster, so no colour conversion brightens it), anything else becomes RGB.
     */
    private static BufferedImage onWhite(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        var raster = image.getRaster();
        if (raster.getNumBands() == 2) {
            BufferedImage grey = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            int max = (1 << image.getColorModel().getComponentSize(0)) - 1;
            int[] pixel = new int[2];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    raster.getPixel(x, y, pixel);
                    grey.getRaster().setSample(x, y, 0, PngReader.onWhite(level(pixel[0], max), level(pixel[1], max)));
                }
            }
            return grey;
        }
        BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int p = 0; p < argb.length; p++) {
            int a = argb[p] >>> 24;
            argb[p] = PngReader.onWhite(argb[p] >> 16 & 0xff, a) << 16 | PngReader.onWhite(argb[p] >> 8 & 0xff, a) << 8
                    | PngReader.onWhite(argb[p] & 0xff, a);
        }
        rgb.setRGB(0, 0, w, h, argb, 0, w);
        return rgb;
    }

    /** A sample of {@code max} levels as 0–255. */
    private static int level(int sample, int max) {
        return (sample * 255 + max / 2) / max;
    }

    private static String hexStart(byte[] bytes) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(8, bytes.length); i++) {
            hex.append(String.format("%02x ", bytes[i]));
        }
        return bytes.length == 0 ? "nothing" : hex.toString().strip();
    }
}
