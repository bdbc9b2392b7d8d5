package pipeline.convnet.inspect;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * Planes of floats to pictures: grey grids (each plane stretched to 0–255, tiled, enlarged) and red
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
        int rows = (planes.length + columns - 1) / columns;
        int tileW = w * scale + 1;
        int tileH = h * scale + 1;
        BufferedImage image = new BufferedImage(columns * tileW + 1, rows * tileH + 1, BufferedImage.TYPE_BYTE_GRAY);
        for (int p = 0; p < planes.length; p++) {
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (float v : planes[p]) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            float range = max - min;
            int left = (p % columns) * tileW + 1;
            int top = (p / columns) * tileH + 1;
            for (int y = 0; y < h * scale; y++) {
                for (int x = 0; x < w * scale; x++) {
                    float v = planes[p][(y / scale) * w + x / scale];
                    int grey = range == 0 ? 128 : Math.round(255 * (v - min) / range);
                    image.getRaster().setSample(left + x, top + y, 0, grey);
                }
            }
        }
        return image;
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
