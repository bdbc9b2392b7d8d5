package pipeline.images;

import java.awt.geom.AffineTransform;
import java.awt.image.AffineTransformOp;
import java.awt.image.BufferedImage;

/**
 * How a camera stored a picture relative to upright: the EXIF orientation tag (TIFF tag 274) a phone
 * writes instead of turning the pixels, read from a JPEG's APP1 segment. Values 1–8 as EXIF numbers
 * them; anything missing, damaged or out of range reads as {@link #UPRIGHT}, since a picture shown
 * as stored is better than one refused.
 */
public enum Orientation {
    /** 1: as stored. */
    UPRIGHT,
    /** 2: mirrored left to right. */
    MIRRORED,
    /** 3: turned half round. */
    ROTATED_180,
    /** 4: mirrored top to bottom. */
    MIRRORED_VERTICALLY,
    /** 5: mirrored along the top-left to bottom-right diagonal. */
    TRANSPOSED,
    /** 6: stored turned a quarter anticlockwise; shown turned a quarter clockwise. */
    ROTATED_90,
    /** 7: mirrored along the other diagonal. */
    TRANSVERSED,
    /** 8: stored turned a quarter clockwise; shown turned a quarter anticlockwise. */
    ROTATED_270;

    private static final int ORIENTATION_TAG = 0x0112;
    private static final int SHORT = 3;

    /** The EXIF number, 1–8. */
    public int exif() {
        return ordinal() + 1;
    }

    /** Whether showing it upright swaps width and height. */
    public boolean swapsSides() {
        return ordinal() >= TRANSPOSED.ordinal();
    }

    /** The orientation a JPEG's EXIF data declares; {@link #UPRIGHT} when it declares none. */
    public static Orientation ofJpeg(byte[] jpeg) {
        int at = 2;
        while (at + 4 <= jpeg.length && (jpeg[at] & 0xff) == 0xff) {
            int marker = jpeg[at + 1] & 0xff;
            if (marker == 0xda || marker == 0xd9) {
                break;
            }
            int length = u16(jpeg, at + 2, true);
            if (length < 2 || at + 2 + length > jpeg.length) {
                break;
            }
            if (marker == 0xe1 && length >= 8 && startsWith(jpeg, at + 4, "Exif\0\0")) {
                return ofTiff(jpeg, at + 10, at + 2 + length);
            }
            at += 2 + length;
        }
        return UPRIGHT;
    }

    /** The orientation tag of the first IFD of the TIFF structure in {@code bytes[from, to)}. */
    private static Orientation ofTiff(byte[] bytes, int from, int to) {
        if (to - from < 8) {
            return UPRIGHT;
        }
        boolean bigEndian;
        if (bytes[from] == 'M' && bytes[from + 1] == 'M') {
            bigEndian = true;
        } else if (bytes[from] == 'I' && bytes[from + 1] == 'I') {
            bigEndian = false;
        } else {
            return UPRIGHT;
        }
        long ifd = u32(bytes, from + 4, bigEndian);
        if (ifd < 8 || from + ifd + 2 > to) {
            return UPRIGHT;
        }
        int entries = u16(bytes, from + (int) ifd, bigEndian);
        for (int e = 0; e < entries; e++) {
            int entry = from + (int) ifd + 2 + 12 * e;
            if (entry + 12 > to) {
                break;
            }
            if (u16(bytes, entry, bigEndian) == ORIENTATION_TAG && u16(bytes, entry + 2, bigEndian) == SHORT) {
                int value = u16(bytes, entry + 8, bigEndian);
                return value >= 1 && value <= 8 ? values()[value - 1] : UPRIGHT;
            }
        }
        return UPRIGHT;
    }

    /**
     * Planar pixels turned upright: output pixel {@code (X, Y)} is stored pixel {@link #source} of it.
     * Reference for {@link #upright(BufferedImage)}; both are checked against each other.
     */
    public Pixels upright(Pixels stored) {
        if (this == UPRIGHT) {
            return stored;
        }
        int w = stored.width();
        int h = stored.height();
        int ow = swapsSides() ? h : w;
        int oh = swapsSides() ? w : h;
        int plane = w * h;
        byte[] in = stored.values();
        byte[] out = new byte[in.length];
        int[] xy = new int[2];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                source(x, y, w, h, xy);
                int from = xy[1] * w + xy[0];
                for (int c = 0; c < stored.channels(); c++) {
                    out[c * plane + y * ow + x] = in[c * plane + from];
                }
            }
        }
        return new Pixels(ow, oh, stored.channels(), out);
    }

    /** A decoded picture turned upright, as {@link #upright(Pixels)} turns planar pixels. */
    public BufferedImage upright(BufferedImage stored) {
        if (this == UPRIGHT) {
            return stored;
        }
        int w = stored.getWidth();
        int h = stored.getHeight();
        // The transform takes stored (x, y) to upright (X, Y): the inverse of source().
        AffineTransform t = switch (this) {
            case MIRRORED -> new AffineTransform(-1, 0, 0, 1, w, 0);
            case ROTATED_180 -> new AffineTransform(-1, 0, 0, -1, w, h);
            case MIRRORED_VERTICALLY -> new AffineTransform(1, 0, 0, -1, 0, h);
            case TRANSPOSED -> new AffineTransform(0, 1, 1, 0, 0, 0);
            case ROTATED_90 -> new AffineTransform(0, 1, -1, 0, h, 0);
            case TRANSVERSED -> new AffineTransform(0, -1, -1, 0, h, w);
            case ROTATED_270 -> new AffineTransform(0, -1, 1, 0, 0, w);
            case UPRIGHT -> new AffineTransform();
        };
        // Into an image of the stored one's own kind: a grey picture stays grey, with no colour conversion.
        return new AffineTransformOp(t, AffineTransformOp.TYPE_NEAREST_NEIGHBOR).filter(stored, null);
    }

    /** The stored pixel {@code (x, y)} that upright pixel {@code (ux, uy)} shows, of a stored {@code w×h} picture. */
    void source(int ux, int uy, int w, int h, int[] xy) {
        switch (this) {
            case UPRIGHT -> set(xy, ux, uy);
            case MIRRORED -> set(xy, w - 1 - ux, uy);
            case ROTATED_180 -> set(xy, w - 1 - ux, h - 1 - uy);
            case MIRRORED_VERTICALLY -> set(xy, ux, h - 1 - uy);
            case TRANSPOSED -> set(xy, uy, ux);
            case ROTATED_90 -> set(xy, uy, h - 1 - ux);
            case TRANSVERSED -> set(xy, w - 1 - uy, h - 1 - ux);
            case ROTATED_270 -> set(xy, w - 1 - uy, ux);
        }
    }

    private static void set(int[] xy, int x, int y) {
        xy[0] = x;
        xy[1] = y;
    }

    private static boolean startsWith(byte[] bytes, int at, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (at + i >= bytes.length || bytes[at + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int u16(byte[] b, int at, boolean bigEndian) {
        return bigEndian ? (b[at] & 0xff) << 8 | (b[at + 1] & 0xff) : (b[at + 1] & 0xff) << 8 | (b[at] & 0xff);
    }

    private static long u32(byte[] b, int at, boolean bigEndian) {
        return bigEndian ? (long) u16(b, at, true) << 16 | u16(b, at + 2, true) : (long) u16(b, at + 2, false) << 16 | u16(b, at, false);
    }
}
