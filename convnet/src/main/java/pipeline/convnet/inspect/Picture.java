package pipeline.convnet.inspect;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * Planes of floats to pictures: grey and colour grids (stretched to 0–255, tiled, enlarged) and red
 * heat layers, as PNG.
 */
public final class Picture {

    private Picture() {
    }

    /**
     * Tiles {@code planes} (each {@code h×w}) in rows of {@code columns}, each pixel drawn as a
     * {@code scale×scale} square, with a one-pixel dark gap. Each plane is stretched on its own.
     */
    public static BufferedImage grid(float[][] planes, int h, int w, int columns, int scale) {
        return tiles(planes.length, h, w, columns, scale, BufferedImage.TYPE_BYTE_GRAY, (image, p, left, top) -> {
            float[] range = range(planes[p]);
            for (int y = 0; y < h * scale; y++) {
                for (int x = 0; x < w * scale; x++) {
                    image.getRaster().setSample(left + x, top + y, 0, level(planes[p][(y / scale) * w + x / scale], range));
                }
            }
        });
    }

    /**
     * Colour tiles laid out as {@link #grid} lays out grey ones: tile {@code p} is {@code tiles[p]}'s red, green
     * and blue planes (each {@code h×w}), stretched together (one range for the three, so its colours keep
     * their balance): a colour model's first filters, or an input that excites a unit.
     */
    public static BufferedImage colourGrid(float[][][] tiles, int h, int w, int columns, int scale) {
        return tiles(tiles.length, h, w, columns, scale, BufferedImage.TYPE_INT_RGB, (image, p, left, top) -> {
            float[] all = new float[3 * h * w];
            for (int c = 0; c < 3; c++) {
                System.arraycopy(tiles[p][c], 0, all, c * h * w, h * w);
            }
            float[] range = range(all);
            for (int y = 0; y < h * scale; y++) {
                for (int x = 0; x < w * scale; x++) {
                    int at = (y / scale) * w + x / scale;
                    image.setRGB(left + x, top + y, level(tiles[p][0][at], range) << 16 | level(tiles[p][1][at], range) << 8
                            | level(tiles[p][2][at], range));
                }
            }
        });
    }

    /** Paints tile {@code p} with its top-left corner at {@code (left, top)}. */
    private interface TilePainter {
        void paint(BufferedImage image, int p, int left, int top);
    }

    private static BufferedImage tiles(int count, int h, int w, int columns, int scale, int type, TilePainter painter) {
        int rows = (count + columns - 1) / columns;
        int tileW = w * scale + 1;
        int tileH = h * scale + 1;
        BufferedImage image = new BufferedImage(columns * tileW + 1, rows * tileH + 1, type);
        for (int p = 0; p < count; p++) {
            painter.paint(image, p, (p % columns) * tileW + 1, (p / columns) * tileH + 1);
        }
        return image;
    }

    /** {@code [min, max]} of the values. */
    private static float[] range(float[] values) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return new float[] {min, max};
    }

    /** {@code v} stretched from its range to 0–255 (mid-grey when the range is empty). */
    private static int level(float v, float[] range) {
        float span = range[1] - range[0];
        return span == 0 ? 128 : Math.round(255 * (v - range[0]) / span);
    }

    /**
     * One {@code h×w} plane as a red heat layer to lay over the picture it was computed for: the
     * plane's largest value fully red and opaque, zero (or the smallest, if it is above zero)
     * transparent, each pixel a {@code scale×scale} square.
     */
    public static BufferedImage heat(float[] plane, int h, int w, int scale) {
        float max = 0f;
        for (float v : plane) {
            max = Math.max(max, v);
        }
        BufferedImage image = new BufferedImage(w * scale, h * scale, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < h * scale; y++) {
            for (int x = 0; x < w * scale; x++) {
                float v = plane[(y / scale) * w + x / scale];
                int alpha = max <= 0f ? 0 : Math.round(255 * Math.max(0f, v) / max);
                image.setRGB(x, y, alpha << 24 | 0xE0 << 16 | 0x20 << 8 | 0x10);
            }
        }
        return image;
    }

    public static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding a PNG in memory failed", e);
        }
        return out.toByteArray();
    }
}
