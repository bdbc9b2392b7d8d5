package pipeline.convnet.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import pipeline.convnet.tensor.Tensor;

/**
 * Encoded images (PNG, JPEG, BMP, GIF) to a model's input: decoded, converted to the model's
 * channels (grey by luma, or RGB), resized to its height and width with area averaging (each output
 * pixel the mean of the input pixels it covers, so shrinking does not alias), and normalised.
 */
public final class ImageInput {

    private final int channels;
    private final int height;
    private final int width;
    private final Normalisation normalisation;

    /** @param input the model's {@code [C, H, W]}, C being 1 (grey) or 3 (RGB) */
    public ImageInput(int[] input, Normalisation normalisation) {
        if (input[0] != 1 && input[0] != 3) {
            throw new IllegalArgumentException("images can feed models with 1 or 3 channels, not " + input[0]);
        }
        this.channels = input[0];
        this.height = input[1];
        this.width = input[2];
        this.normalisation = normalisation;
    }

    /** The largest image {@link #decode} accepts, width·height: 8192², checked from the header before decoding. */
    private static final ImageProbe PROBE = new ImageProbe(8192L * 8192);

    /**
     * Decodes {@code bytes} through {@link ImageProbe} (format from the bytes, size from the header);
     * {@code source} names them in the error when they are refused.
     */
    public static BufferedImage decode(byte[] bytes, String source) throws IOException {
        try {
            return PROBE.decode(bytes);
        } catch (ImageProbe.RejectedImage e) {
            throw new IOException(source + " is not an image this engine can decode (PNG, JPEG, BMP or GIF): " + e.getMessage(), e);
        }
    }

    /** A batch {@code [N, C, H, W]} of the given images. */
    public Tensor batch(BufferedImage... images) {
        Tensor out = Tensor.zeros(images.length, channels, height, width);
        int plane = height * width;
        for (int i = 0; i < images.length; i++) {
            byte[] values = pixels(images[i]);
            for (int c = 0; c < channels; c++) {
                int base = c * plane;
                for (int p = 0; p < plane; p++) {
                    out.data()[i * values.length + base + p] = normalisation.apply(c, values[base + p] & 0xff);
                }
            }
        }
        return out;
    }

    /**
     * The image as the model's unnormalised input: {@code C·H·W} unsigned bytes, converted and resized
     * as {@link #batch} does, the layout of a {@link Dataset}'s pixels.
     */
    public byte[] pixels(BufferedImage image) {
        float[][] source = channelValues(image);
        int plane = height * width;
        byte[] out = new byte[channels * plane];
        for (int c = 0; c < channels; c++) {
            float[] resized = resizeArea(source[c], image.getHeight(), image.getWidth(), height, width);
            for (int p = 0; p < plane; p++) {
                out[c * plane + p] = (byte) Math.clamp(Math.round(resized[p]), 0, 255);
            }
        }
        return out;
    }

    /**
     * The image's values 0–255 per model channel. Grey images are read from their raster as stored:
     * going through {@code getRGB} would convert Java's linear grey to sRGB and brighten them.
     */
    private float[][] channelValues(BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        Raster raster = image.getRaster();
        boolean grey = raster.getNumBands() == 1 && image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        float scale = grey ? 255f / ((1 << image.getColorModel().getComponentSize(0)) - 1) : 1f;
        float[][] values = new float[channels][h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int at = y * w + x;
                if (grey) {
                    float v = raster.getSample(x, y, 0) * scale;
                    for (int c = 0; c < channels; c++) {
                        values[c][at] = v;
                    }
                    continue;
                }
                int rgb = image.getRGB(x, y);
                float r = (rgb >> 16) & 0xff;
                float g = (rgb >> 8) & 0xff;
                float b = rgb & 0xff;
                if (channels == 1) {
                    values[0][at] = 0.299f * r + 0.587f * g + 0.114f * b;
                } else {
                    values[0][at] = r;
                    values[1][at] = g;
                    values[2][at] = b;
                }
            }
        }
        return values;
    }

    /** Area resampling of a {@code [sh, sw]} plane to {@code [dh, dw]}: rows, then columns. */
    static float[] resizeArea(float[] source, int sh, int sw, int dh, int dw) {
        if (sh == dh && sw == dw) {
            return source;
        }
        float[] rows = new float[sh * dw];
        for (int y = 0; y < sh; y++) {
            resample(source, y * sw, 1, sw, rows, y * dw, 1, dw);
        }
        float[] out = new float[dh * dw];
        for (int x = 0; x < dw; x++) {
            resample(rows, x, dw, sh, out, x, dw, dh);
        }
        return out;
    }

    /**
     * One line of {@code n} values (every {@code stride}-th from {@code from}) to {@code m}: output
     * {@code j} is the mean over input span {@code [j·n/m, (j+1)·n/m)}, partial pixels weighted by overlap.
     */
    private static void resample(float[] in, int from, int stride, int n, float[] out, int to, int outStride, int m) {
        double step = (double) n / m;
        for (int j = 0; j < m; j++) {
            double start = j * step;
            double end = start + step;
            double sum = 0;
            for (int i = (int) Math.floor(start); i < Math.min(n, (int) Math.ceil(end)); i++) {
                double overlap = Math.min(end, i + 1) - Math.max(start, i);
                sum += overlap * in[from + i * stride];
            }
            out[to + j * outStride] = (float) (sum / step);
        }
    }
}
