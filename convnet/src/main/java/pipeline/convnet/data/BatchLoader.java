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
        float[] out = images.data();
        for (int i = 0; i < b; i++) {
            int index = order[from + i];
            labels[i] = data.labels()[index];
            int pad = augmentation.cropPadding();
            int dy = pad == 0 ? 0 : random.nextInt(2 * pad + 1) - pad;
            int dx = pad == 0 ? 0 : random.nextInt(2 * pad + 1) - pad;
            boolean flip = augmentation.horizontalFlip() && random.nextBoolean();
            int src = index * data.imageSize();
            for (int ch = 0; ch < c; ch++) {
                float zero = normalisation.apply(ch, 0);
                for (int y = 0; y < h; y++) {
                    int sy = y + dy;
                    for (int x = 0; x < w; x++) {
                        int sx = (flip ? w - 1 - x : x) + dx;
                        int at = ((i * c + ch) * h + y) * w + x;
                        out[at] = sy < 0 || sy >= h || sx < 0 || sx >= w ? zero
                                : normalisation.apply(ch, data.pixels()[src + (ch * h + sy) * w + sx] & 0xff);
                    }
                }
            }
        }
        return new Batch(images, labels);
    }
}
