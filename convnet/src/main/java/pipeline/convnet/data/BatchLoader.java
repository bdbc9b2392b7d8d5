package pipeline.convnet.data;

import java.util.SplittableRandom;
import pipeline.convnet.tensor.Tensor;

/** Turns images of a {@link Dataset} into a normalised, optionally augmented float batch {@code [B, C, H, W]}. */
public final class BatchLoader {

    /** A batch of inputs and their class indices. */
    public record Batch(Tensor images, int[] labels) {}

    private final Dataset data;
    private final Normalisation normalisation;

    public BatchLoader(Dataset data, Normalisation normalisation) {
        if (normalisation.mean().length != data.channels()) {
            throw new IllegalArgumentException("normalisation has " + normalisation.mean().length
                    + " channels but the images have " + data.channels());
        }
        this.data = data;
        this.normalisation = normalisation;
    }

    /** Images {@code order[from..to)}, augmented with {@code random} when {@code augmentation} asks for it. */
    public Batch load(int[] order, int from, int to, Augmentation augmentation, SplittableRandom random) {
        int b = to - from;
        int c = data.channels();
        int h = data.height();
        int w = data.width();
        Tensor images = Tensor.zeros(b, c, h, w);
        int[] labels = new int[b];
        float[] levels = new float[c * h * w];
        for (int i = 0; i < b; i++) {
            int index = order[from + i];
            labels[i] = data.labels()[index];
            if (augmentation.resizedCropScale() > 0) {
                resizedCrop(index, augmentation, random, levels);
            } else {
                paddedCrop(index, augmentation, random, levels);
            }
            if (augmentation.colourJitter() > 0) {
                jitter(levels, augmentation.colourJitter(), random);
            }
            int plane = h * w;
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < plane; p++) {
                    images.data()[(i * c + ch) * plane + p] = normalisation.apply(ch, levels[ch * plane + p]);
                }
            }
        }
        return new Batch(images, labels);
    }

    /** Image {@code index} shifted by up to the padding each way (zeros come in) and maybe flipped, as levels 0–255. */
    private void paddedCrop(int index, Augmentation augmentation, SplittableRandom random, float[] levels) {
        int c = data.channels();
        int h = data.height();
        int w = data.width();
        int pad = augmentation.cropPadding();
        int dy = pad == 0 ? 0 : random.nextInt(2 * pad + 1) - pad;
        int dx = pad == 0 ? 0 : random.nextInt(2 * pad + 1) - pad;
        boolean flip = augmentation.horizontalFlip() && random.nextBoolean();
        int src = index * data.imageSize();
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                int sy = y + dy;
                for (int x = 0; x < w; x++) {
                    int sx = (flip ? w - 1 - x : x) + dx;
                    levels[(ch * h + y) * w + x] = sy < 0 || sy >= h || sx < 0 || sx >= w ? 0
                            : data.pixels()[src + (ch * h + sy) * w + sx] & 0xff;
                }
            }
        }
    }

    /**
     * A region of image {@code index} (a random share of its area from the scale up, aspect ratio ¾ to 4/3,
     * log-uniform) scaled back to the full size by bilinear interpolation, maybe flipped, as levels 0–255.
     */
    private void resizedCrop(int index, Augmentation augmentation, SplittableRandom random, float[] levels) {
        int c = data.channels();
        int h = data.height();
        int w = data.width();
        double area = augmentation.resizedCropScale() + random.nextDouble() * (1 - augmentation.resizedCropScale());
        double aspect = Math.exp(Math.log(0.75) + random.nextDouble() * (Math.log(4.0 / 3) - Math.log(0.75)));
        double cw = Math.min(w, w * Math.sqrt(area * aspect));
        double ch = Math.min(h, h * Math.sqrt(area / aspect));
        double x0 = random.nextDouble() * (w - cw);
        double y0 = random.nextDouble() * (h - ch);
        boolean flip = augmentation.horizontalFlip() && random.nextBoolean();
        int src = index * data.imageSize();
        for (int y = 0; y < h; y++) {
            // Pixel centres: output y + ½ maps to y0 + (y + ½)·ch/h in the source, whose centres are at i + ½.
            double sy = Math.clamp(y0 + (y + 0.5) * ch / h - 0.5, 0, h - 1);
            int y1 = (int) sy;
            int y2 = Math.min(h - 1, y1 + 1);
            float fy = (float) (sy - y1);
            for (int x = 0; x < w; x++) {
                double sx = Math.clamp(x0 + ((flip ? w - 1 - x : x) + 0.5) * cw / w - 0.5, 0, w - 1);
                int x1 = (int) sx;
                int x2 = Math.min(w - 1, x1 + 1);
                float fx = (float) (sx - x1);
                for (int k = 0; k < c; k++) {
                    int plane = src + k * h * w;
                    float top = level(plane + y1 * w + x1) * (1 - fx) + level(plane + y1 * w + x2) * fx;
                    float bottom = level(plane + y2 * w + x1) * (1 - fx) + level(plane + y2 * w + x2) * fx;
                    levels[(k * h + y) * w + x] = top * (1 - fy) + bottom * fy;
                }
            }
        }
    }

    private float level(int at) {
        return data.pixels()[at] & 0xff;
    }

    /**
     * Brightness (every level scaled), contrast (levels pulled from or pushed away from the image's mean grey)
     * and, for RGB, saturation (each pixel blended with its own grey), each by a factor in {@code [1 − j, 1 + j]},
     * in that order as torchvision's {@code ColorJitter} may apply them; levels stay in 0–255.
     */
    private void jitter(float[] levels, float j, SplittableRandom random) {
        int plane = data.height() * data.width();
        boolean rgb = data.channels() == 3;
        float brightness = factor(j, random);
        float contrast = factor(j, random);
        float saturation = factor(j, random);
        double greySum = 0;
        for (int p = 0; p < plane; p++) {
            greySum += rgb ? luma(levels, p, plane) : levels[p];
        }
        float meanGrey = (float) (greySum / plane) * brightness;
        for (int i = 0; i < levels.length; i++) {
            levels[i] = levels[i] * brightness;
            levels[i] = meanGrey + (levels[i] - meanGrey) * contrast;
        }
        if (rgb) {
            for (int p = 0; p < plane; p++) {
                float grey = luma(levels, p, plane);
                for (int k = 0; k < 3; k++) {
                    levels[k * plane + p] = grey + (levels[k * plane + p] - grey) * saturation;
                }
            }
        }
        for (int i = 0; i < levels.length; i++) {
            levels[i] = Math.clamp(levels[i], 0f, 255f);
        }
    }

    private static float factor(float j, SplittableRandom random) {
        return 1 - j + (float) random.nextDouble() * 2 * j;
    }

    private static float luma(float[] levels, int p, int plane) {
        return 0.299f * levels[p] + 0.587f * levels[plane + p] + 0.114f * levels[2 * plane + p];
    }
}
