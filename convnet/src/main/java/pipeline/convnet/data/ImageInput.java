package pipeline.convnet.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import javax.imageio.ImageIO;
import pipeline.convnet.tensor.Tensor;

/**
 * Encoded images (PNG, JPEG, BMP, GIF) to a model's input: decoded, converted to the model's
 * channels (grey by luma, or RGB), resized to its height and width as the model's {@link Resize}
 * says (stretched whole or centre-cropped) with area averaging (each output pixel the mean of the
 * input pixels it covers, so shrinking does not alias), and normalised.
 */
public final class ImageInput {

    /** Each thread's working rows for resizing. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final int channels;
    private final int height;
    private final int width;
    private final Resize policy;
    /** Whether an image of the model's size is its input as it is (any policy but a crop of less than all). */
    private final boolean takesModelSizeWhole;
    /** {@code normalised[c][level]}: the normalised value of each 0–255 level per channel. */
    private final float[][] normalised;

    /** Images stretched whole to the model's size. */
    public ImageInput(int[] input, Normalisation normalisation) {
        this(input, normalisation, Resize.STRETCH);
    }

    /** @param input the model's {@code [C, H, W]}, C being 1 (grey) or 3 (RGB) */
    public ImageInput(int[] input, Normalisation normalisation, Resize policy) {
        if (input[0] != 1 && input[0] != 3) {
            throw new IllegalArgumentException("images can feed models with 1 or 3 channels, not " + input[0]);
        }
        this.channels = input[0];
        this.height = input[1];
        this.width = input[2];
        this.policy = policy;
        this.takesModelSizeWhole = policy.region(height, width, height, width).equals(new Resize.Region(0, 0, width, height));
        this.normalised = new float[channels][256];
        for (int c = 0; c < channels; c++) {
            for (int level = 0; level < 256; level++) {
                normalised[c][level] = normalisation.apply(c, level);
            }
        }
    }

    /** The model's input {@code [C, H, W]}. */
    public int[] shape() {
        return new int[] {channels, height, width};
    }

    /** Values in one image of the model's input: {@code C·H·W}. */
    public int pixelCount() {
        return channels * height * width;
    }

    /** {@code [height, width]}: the least a source image may be decoded at to feed this input without upscaling. */
    public int[] leastSource() {
        return policy.leastSource(height, width);
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
        resize(rowsOf(image), image.getHeight(), image.getWidth(), normalisedInto(batch, index));
    }

    /**
     * Writes decoded pixels as item {@code index} of {@code batch} {@code [N, C, H, W]}: {@code values}
     * is planar {@code [channels, h, w]}, unsigned 0–255, {@code channels} 1 (grey) or 3 (RGB). Pixels of
     * the model's channels and size go straight in (the case of a feed made for the model).
     */
    public void write(Tensor batch, int index, byte[] values, int sourceChannels, int h, int w) {
        if (sourceChannels == channels && h == height && w == width && takesModelSizeWhole) {
            int plane = height * width;
            int base = index * channels * plane;
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < plane; p++) {
                    batch.data()[base + c * plane + p] = normalised[c][values[c * plane + p] & 0xff];
                }
            }
            return;
        }
        resize(rowsOf(values, sourceChannels, h, w), h, w, normalisedInto(batch, index));
    }

    /**
     * The image as the model's unnormalised input: {@code C·H·W} unsigned bytes, converted and resized
     * as {@link #batch} does, the layout of a {@link Dataset}'s pixels.
     */
    public byte[] pixels(BufferedImage image) {
        byte[] out = new byte[channels * height * width];
        resize(rowsOf(image), image.getHeight(), image.getWidth(), levelsInto(out));
        return out;
    }

    /** {@link #pixels(BufferedImage)} of decoded planar pixels, as {@link #write(Tensor, int, byte[], int, int, int)} takes them. */
    public byte[] pixels(byte[] values, int sourceChannels, int h, int w) {
        byte[] out = new byte[channels * height * width];
        resize(rowsOf(values, sourceChannels, h, w), h, w, levelsInto(out));
        return out;
    }

    /** Reads row {@code y} of model channel {@code channel} of the source image into the start of {@code row}: values 0–255. */
    private interface SourceRows {
        void read(int channel, int y, float[] row);
    }

    /** Takes one resized row of one model channel: {@code width} values 0–255. */
    private interface OutputRows {
        void write(int channel, int y, float[] row);
    }

    /** Rows into item {@code index} of {@code batch}, each value rounded to its level and normalised. */
    private OutputRows normalisedInto(Tensor batch, int index) {
        float[] data = batch.data();
        int base = index * channels * height * width;
        return (c, y, row) -> {
            float[] table = normalised[c];
            int to = base + (c * height + y) * width;
            for (int x = 0; x < width; x++) {
                data[to + x] = table[level(row[x])];
            }
        };
    }

    /** Rows into {@code out} {@code [C, H, W]} as unsigned levels. */
    private OutputRows levelsInto(byte[] out) {
        return (c, y, row) -> {
            int to = (c * height + y) * width;
            for (int x = 0; x < width; x++) {
                out[to + x] = (byte) level(row[x]);
            }
        };
    }

    /** A resampled value as the 0–255 level a decoded image of the model's size would hold. */
    private static int level(float value) {
        return Math.clamp(Math.round(value), 0, 255);
    }

    /**
     * The image's rows per model channel. Grey images are read from their raster as stored: going
     * through {@code getRGB} would convert Java's linear grey to sRGB and brighten them.
     */
    private SourceRows rowsOf(BufferedImage image) {
        int w = image.getWidth();
        Raster raster = image.getRaster();
        if (raster.getNumBands() == 1 && image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            float scale = 255f / ((1 << image.getColorModel().getComponentSize(0)) - 1);
            int[] samples = new int[w];
            return (c, y, row) -> {
                raster.getSamples(0, y, w, 1, 0, samples);
                for (int x = 0; x < w; x++) {
                    row[x] = samples[x] * scale;
                }
            };
        }
        if (image.getType() == BufferedImage.TYPE_3BYTE_BGR && raster.getDataBuffer() instanceof DataBufferByte bytes
                && raster.getSampleModel() instanceof PixelInterleavedSampleModel interleaved
                && interleaved.getScanlineStride() == 3 * w && raster.getSampleModelTranslateX() == 0
                && raster.getSampleModelTranslateY() == 0) {
            // What ImageIO's JPEG reader decodes to: blue, green, red bytes per pixel, read in place.
            byte[] bgr = bytes.getData();
            return (c, y, row) -> {
                int from = 3 * y * w;
                for (int x = 0; x < w; x++) {
                    int p = from + 3 * x;
                    row[x] = channelValue(c, bgr[p + 2] & 0xff, bgr[p + 1] & 0xff, bgr[p] & 0xff);
                }
            };
        }
        int[] argb = new int[w];
        return (c, y, row) -> {
            image.getRGB(0, y, w, 1, argb, 0, w);
            for (int x = 0; x < w; x++) {
                row[x] = channelValue(c, (argb[x] >> 16) & 0xff, (argb[x] >> 8) & 0xff, argb[x] & 0xff);
            }
        };
    }

    /** Planar 8-bit rows per model channel: grey repeated for RGB models, RGB to grey by luma. */
    private SourceRows rowsOf(byte[] values, int sourceChannels, int h, int w) {
        if (sourceChannels != 1 && sourceChannels != 3) {
            throw new IllegalArgumentException("pixels come in 1 (grey) or 3 (RGB) channels, not " + sourceChannels);
        }
        int plane = h * w;
        if (sourceChannels == 1 || channels == 3) {
            return (c, y, row) -> {
                int from = (sourceChannels == 1 ? 0 : c * plane) + y * w;
                for (int x = 0; x < w; x++) {
                    row[x] = values[from + x] & 0xff;
                }
            };
        }
        return (c, y, row) -> {
            int from = y * w;
            for (int x = 0; x < w; x++) {
                row[x] = luma(values[from + x] & 0xff, values[plane + from + x] & 0xff, values[2 * plane + from + x] & 0xff);
            }
        };
    }

    /** Model channel {@code c} of a pixel's red, green and blue: grey by luma, or the colour itself. */
    private float channelValue(int c, float r, float g, float b) {
        if (channels == 1) {
            return luma(r, g, b);
        }
        return c == 0 ? r : c == 1 ? g : b;
    }

    private static float luma(float r, float g, float b) {
        return 0.299f * r + 0.587f * g + 0.114f * b;
    }

    /**
     * Area resampling of each model channel of a {@code [sh, sw]} image to the model's height and width,
     * of the region the {@link Resize} policy picks: each source row the region covers across (weights
     * per output column), then each output row as the weighted sum of the resampled rows it covers (whole
     * rows at a time, which the JIT vectorises). Works in one thread's scratch rows, so no image-sized
     * array is allocated per call.
     */
    private void resize(SourceRows source, int sh, int sw, OutputRows sink) {
        Resize.Region region = policy.region(sh, sw, height, width);
        AreaWeights columns = new AreaWeights(sw, region.x(), region.width(), width);
        AreaWeights lines = new AreaWeights(sh, region.y(), region.height(), height);
        int top = lines.first[0];
        int rows = lines.end() - top;
        Scratch scratch = SCRATCH.get().fit(sw, rows * width, width);
        float[] line = scratch.line;
        float[] across = scratch.across;
        float[] row = scratch.row;
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < rows; y++) {
                source.read(c, top + y, line);
                int to = y * width;
                for (int j = 0; j < width; j++) {
                    float sum = 0;
                    float[] weights = columns.weights[j];
                    int first = columns.first[j];
                    for (int k = 0; k < weights.length; k++) {
                        sum += weights[k] * line[first + k];
                    }
                    across[to + j] = sum;
                }
            }
            for (int j = 0; j < height; j++) {
                Arrays.fill(row, 0, width, 0f);
                float[] weights = lines.weights[j];
                for (int k = 0; k < weights.length; k++) {
                    float weight = weights[k];
                    int from = (lines.first[j] - top + k) * width;
                    for (int x = 0; x < width; x++) {
                        row[x] += weight * across[from + x];
                    }
                }
                sink.write(c, j, row);
            }
        }
    }

    /** One thread's working rows for {@link #resize}, grown to the largest image it has resized. */
    private static final class Scratch {
        float[] line = new float[0];
        float[] across = new float[0];
        float[] row = new float[0];

        Scratch fit(int lineLength, int acrossLength, int rowLength) {
            if (line.length < lineLength) {
                line = new float[lineLength];
            }
            if (across.length < acrossLength) {
                across = new float[acrossLength];
            }
            if (row.length < rowLength) {
                row = new float[rowLength];
            }
            return this;
        }
    }

    /**
     * Area resampling of the span {@code [start, start + span)} of a line of {@code n} values to {@code m}:
     * output {@code j} is the mean over {@code [start + j·span/m, start + (j+1)·span/m)}, partial pixels
     * weighted by overlap. The spans and weights are worked out once per line and used for every row or
     * column.
     */
    private static final class AreaWeights {

        /** Per output, its first input and the weights of it and the inputs after it (summing to 1). */
        final int[] first;
        final float[][] weights;

        AreaWeights(int n, double start, double span, int m) {
            first = new int[m];
            weights = new float[m][];
            double step = span / m;
            for (int j = 0; j < m; j++) {
                double from = Math.max(0, start + j * step);
                double to = Math.min(n, start + (j + 1) * step);
                first[j] = Math.min(n - 1, (int) Math.floor(from));
                weights[j] = new float[Math.max(1, (int) Math.ceil(to) - first[j])];
                for (int k = 0; k < weights[j].length; k++) {
                    int i = first[j] + k;
                    weights[j][k] = (float) (Math.max(0, Math.min(to, i + 1) - Math.max(from, i)) / (to - from));
                }
            }
        }

        /** One past the last input any output reads. */
        int end() {
            return first[first.length - 1] + weights[weights.length - 1].length;
        }
    }
}
