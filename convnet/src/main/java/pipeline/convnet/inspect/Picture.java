package pipeline.convnet.inspect;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Planes of floats to grey pictures: each plane stretched to 0–255, tiled in a grid, enlarged, as PNG. */
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
