package pipeline.testkit;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import javax.imageio.ImageIO;

/**
 * Photos as phones store them: the sensor's pixels as they came, sideways or mirrored, with an EXIF
 * orientation tag (1–8) saying how to turn them upright — made here from an upright picture, written
 * independently of the decoder that reads them.
 */
public final class PhonePhotos {

    private PhonePhotos() {
    }

    /** {@code upright} as a camera stores it under EXIF {@code orientation}, as a JPEG carrying that tag. */
    public static byte[] jpeg(BufferedImage upright, int orientation) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(stored(upright, orientation), "jpeg", out);
        return withExif(out.toByteArray(), orientation, ByteOrder.BIG_ENDIAN);
    }

    /**
     * The pixels a viewer turns upright by EXIF {@code orientation}: upright pixel {@code (x, y)} of a {@code w×h}
     * picture is stored at 1 {@code (x, y)}, 2 {@code (w−1−x, y)}, 3 {@code (w−1−x, h−1−y)}, 4 {@code (x, h−1−y)},
     * 5 {@code (y, x)}, 6 {@code (y, w−1−x)}, 7 {@code (h−1−y, w−1−x)}, 8 {@code (h−1−y, x)}; 5 to 8 store it
     * {@code h×w}.
     */
    public static BufferedImage stored(BufferedImage upright, int orientation) {
        int w = upright.getWidth();
        int h = upright.getHeight();
        boolean sideways = orientation >= 5;
        BufferedImage stored = new BufferedImage(sideways ? h : w, sideways ? w : h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] at = switch (orientation) {
                    case 1 -> new int[] {x, y};
                    case 2 -> new int[] {w - 1 - x, y};
                    case 3 -> new int[] {w - 1 - x, h - 1 - y};
                    case 4 -> new int[] {x, h - 1 - y};
                    case 5 -> new int[] {y, x};
                    case 6 -> new int[] {y, w - 1 - x};
                    case 7 -> new int[] {h - 1 - y, w - 1 - x};
                    case 8 -> new int[] {h - 1 - y, x};
                    default -> throw new IllegalArgumentException("EXIF orientations are 1 to 8; got " + orientation);
                };
                stored.setRGB(at[0], at[1], upright.getRGB(x, y));
            }
        }
        return stored;
    }

    /** {@code jpeg} with an APP1 segment after its SOI holding only an orientation tag, in {@code order}'s TIFF byte order. */
    public static byte[] withExif(byte[] jpeg, int orientation, ByteOrder order) {
        ByteBuffer tiff = ByteBuffer.allocate(26).order(order);
        tiff.put(order == ByteOrder.BIG_ENDIAN ? (byte) 'M' : (byte) 'I').put(order == ByteOrder.BIG_ENDIAN ? (byte) 'M' : (byte) 'I');
        tiff.putShort((short) 42).putInt(8);
        tiff.putShort((short) 1);
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putInt(0);
        byte[] exif = "Exif\0\0".getBytes();
        int length = 2 + exif.length + tiff.capacity();
        ByteBuffer out = ByteBuffer.allocate(jpeg.length + 2 + length);
        out.put(jpeg, 0, 2).put((byte) 0xff).put((byte) 0xe1).putShort((short) length).put(exif).put(tiff.array());
        out.put(jpeg, 2, jpeg.length - 2);
        return out.array();
    }
}
