package pipeline.convnet.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
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
    /** {@code normalised[c][level]}: the normalised value of each 0–255 level per channel. */
    private final float[][] normalised;

    /** @param input the model's {@code [C, H, W]}, C being 1 (grey) or 3 (RGB) */
    public ImageInput(int[] input, Normalisation normalisation) {
        if (input[0] != 1 && input[0] != 3) {
            throw new IllegalArgumentException("images can feed models with 1 or 3 channels, not " + input[0]);
        }
        this.channels = input[0];
        this.height = input[1];
        this.width = input[2];
        this.normalised = new float[channels][256];
        for (int c = 0; c < channels; c++) {
            for (int level = 0; level < 256; level++) {
                normalised[c][level] = normalisation.apply(c, level);
            }
        }
    }

    /**
     * Decodes a local, trusted image file with ImageIO; {@code source} names it in the error when no
     * decoder reads it. Untrusted bytes (uploads, records) go through the {@code images} module's checks.
     */
    public static BufferedImage decode(byte[] bytes, String source) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
        if (image == null) {
            throw new IOException(source + " is not an image this engine can decode: expected PNG, JPEG, BMP or GIF");
        }
        return image;
    }

    /** A batch {@code [N, C, H, W]} of the given images. */
    public Tensor batch(BufferedImage... images) {
        Tensor out = Tensor.zeros(images.length, channels, height, width);
        for (int i = 0; i < images.length; i++) {
            write(out, i, images[i]);
        }
        return out;
    }

    /** Writes {@code image} as item {@code index} of {@code batch} {@code [N, C, H, W]}: converted, resized, normalised. */
    public void write(Tensor batch, int index, BufferedImage image) {
        normalise(batch, index, resized(channelValues(image), image.getHeight(), image.getWidth()));
    }

    /**
     * Writes decoded pixels as item {@code index} of {@code batch} {@code [N, C, H, W]}: {@code values}
     * is planar {@code [channels, h, w]}, unsigned 0–255, {@code channels} 1 (grey) or 3 (RGB). Pixels of
     * the model's channels and size go straight in (the case of a feed made for the model).
     */
    public void write(Tensor batch, int index, byte[] values, int sourceChannels, int h, int w) {
        if (sourceChannels == channels && h == height && w == width) {
            int plane = height * width;
            int base = index * channels * plane;
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < plane; p++) {
                    batch.data()[base + c * plane + p] = normalised[c][values[c * plane + p] & 0xff];
                }
            }
            return;
        }
        normalise(batch, index, resized(channelValues(values, sourceChannels, h * w), h, w));
    }

    /**
     * The image as the model's unnormalised input: {@code C·H·W} unsigned bytes, converted and resized
     * as {@link #batch} does, the layout of a {@link Dataset}'s pixels.
     */
    public byte[] pixels(BufferedImage image) {
        return levels(resized(channelValues(image), image.getHeight(), image.getWidth()));
    }

    /** {@link #pixels(BufferedImage)} of decoded planar pixels, as {@link #write(Tensor, int, byte[], int, int, int)} takes them. */
    public byte[] pixels(byte[] values, int sourceChannels, int h, int w) {
        return levels(resized(channelValues(values, sourceChannels, h * w), h, w));
    }

    /** Each model channel's plane resized to the model's height and width. */
    private float[][] resized(float[][] planes, int h, int w) {
        float[][] out = new float[channels][];
        for (int c = 0; c < channels; c++) {
            out[c] = resizeArea(planes[c], h, w, height, width);
        }
        return out;
    }

    private void normalise(Tensor batch, int index, float[][] planes) {
        int plane = height * width;
        int base = index * channels * plane;
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < plane; p++) {
                batch.data()[base + c * plane + p] = normalised[c][level(planes[c][p])];
            }
        }
    }

    private byte[] levels(float[][] planes) {
        int plane = height * width;
        byte[] out = new byte[channels * plane];
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < plane; p++) {
                out[c * plane + p] = (byte) level(planes[c][p]);
            }
        }
        return out;
    }

    /** A resampled value as the 0–255 level a decoded image of the model's size would hold. */
    private static int level(float value) {
        return Math.clamp(Math.round(value), 0, 255);
    }

    /**
     * The image's values 0–255 per model channel. Grey images are read from their raster as stored:
     * going through {@code getRGB} would convert Java's linear grey to sRGB and brighten them.
     */
    private float[][] channelValues(BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        int plane = h * w;
        Raster raster = image.getRaster();
        float[][] values = new float[channels][plane];
        if (raster.getNumBands() == 1 && image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            float scale = 255f / ((1 << image.getColorModel().getComponentSize(0)) - 1);
            int[] samples = raster.getSamples(0, 0, w, h, 0, (int[]) null);
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < plane; p++) {
                    values[c][p] = samples[p] * scale;
                }
            }
            return values;
        }
        if (image.getType() == BufferedImage.TYPE_3BYTE_BGR && raster.getDataBuffer() instanceof DataBufferByte bytes
                && raster.getSampleModel() instanceof PixelInterleavedSampleModel interleaved
                && interleaved.getScanlineStride() == 3 * w && raster.getSampleModelTranslateX() == 0
                && raster.getSampleModelTranslateY() == 0) {
            // What ImageIO's JPEG reader decodes to: blue, green, red bytes per pixel, read in place.
            byte[] bgr = bytes.getData();
            for (int p = 0; p < plane; p++) {
                rgb(values, p, bgr[3 * p + 2] & 0xff, bgr[3 * p + 1] & 0xff, bgr[3 * p] & 0xff);
            }
            return values;
        }
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int p = 0; p < plane; p++) {
            rgb(values, p, (argb[p] >> 16) & 0xff, (argb[p] >> 8) & 0xff, argb[p] & 0xff);
        }
        return values;
    }

    /** One pixel's red, green and blue as the model's channels: grey by luma, or as they are. */
    private void rgb(float[][] values, int p, float r, float g, float b) {
        if (channels == 1) {
            values[0][p] = luma(r, g, b);
        } else {
            values[0][p] = r;
            values[1][p] = g;
            values[2][p] = b;
        }
    }

    /** Planar 8-bit values as 0–255 per model channel: grey repeated for RGB models, RGB to grey by luma. */
    private float[][] channelValues(byte[] values, int sourceChannels, int plane) {
        if (sourceChannels != 1 && sourceChannels != 3) {
            throw new IllegalArgumentException("pixels come in 1 (grey) or 3 (RGB) channels, not " + sourceChannels);
        }
        float[][] out = new float[channels][plane];
        for (int p = 0; p < plane; p++) {
            if (sourceChannels == 1) {
                for (int c = 0; c < channels; c++) {
                    out[c][p] = values[p] & 0xff;
                }
            } else {
                rgb(out, p, values[p] & 0xff, values[plane + p] & 0xff, values[2 * plane + p] & 0xff);
            }
        }
        return out;
    }

    private static float luma(float r, float g, float b) {
        return 0.299f * r + 0.587f * g + 0.114f * b;
    }

    /**
     * Area resampling of a {@code [sh, sw]} plane to {@code [dh, dw]}: each row across, then each output
     * row as the weighted sum of the resampled rows it covers (whole rows at a time, which the JIT
     * vectorises).
     */
    static float[] resizeArea(float[] source, int sh, int sw, int dh, int dw) {
        if (sh == dh && sw == dw) {
            return source;
        }
        AreaWeights across = new AreaWeights(sw, dw);
        float[] rows = new float[sh * dw];
        for (int y = 0; y < sh; y++) {
            int from = y * sw;
            int to = y * dw;
            for (int j = 0; j < dw; j++) {
                float sum = 0;
                float[] weights = across.weights[j];
                for (int k = 0; k < weights.length; k++) {
                    sum += weights[k] * source[from + across.first[j] + k];
                }
                rows[to + j] = sum;
            }
        }
        AreaWeights down = new AreaWeights(sh, dh);
        float[] out = new float[dh * dw];
        for (int j = 0; j < dh; j++) {
            int to = j * dw;
            float[] weights = down.weights[j];
            for (int k = 0; k < weights.length; k++) {
                float weight = weights[k];
                int from = (down.first[j] + k) * dw;
                for (int x = 0; x < dw; x++) {
                    out[to + x] += weight * rows[from + x];
                }
            }
        }
        return out;
    }

    /**
     * Area resampling of a line of {@code n} values to {@code m}: output {@code j} is the mean over input
     * span {@code [j·n/m, (j+1)·n/m)}, partial pixels weighted by overlap. The spans and weights are
     * worked out once per line length and used for every row or column.
     */
    private static final class AreaWeights {

        /** Per output, its first input and the weights of it and the inputs after it (summing to 1). */
        final int[] first;
        final float[][] weights;

        AreaWeights(int n, int m) {
            first = new int[m];
            weights = new float[m][];
            double step = (double) n / m;
            for (int j = 0; j < m; j++) {
                double start = j * step;
                double end = start + step;
                first[j] = (int) Math.floor(start);
                weights[j] = new float[Math.min(n, (int) Math.ceil(end)) - first[j]];
                for (int k = 0; k < weights[j].length; k++) {
                    int i = first[j] + k;
                    weights[j][k] = (float) ((Math.min(end, i + 1) - Math.max(start, i)) / step);
                }
            }
        }
    }
}
