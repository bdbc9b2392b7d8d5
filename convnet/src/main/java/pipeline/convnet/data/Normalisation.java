package pipeline.convnet.data;

import java.util.Arrays;

/**
 * Per-channel normalisation of pixels scaled to [0, 1]: {@code (p/255 − mean[c]) / std[c]}.
 * Stored in model files, so inference normalises exactly as training did.
 */
public record Normalisation(float[] mean, float[] std) {

    /** Fashion-MNIST's training-set statistics. */
    public static final Normalisation FASHION_MNIST = new Normalisation(new float[] {0.2860f}, new float[] {0.3530f});

    public Normalisation {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("normalisation needs one mean and one std per channel; got "
                    + mean.length + " means and " + std.length + " stds");
        }
        for (float s : std) {
            if (!(s > 0f)) {
                throw new IllegalArgumentException("normalisation std must be positive; got " + s);
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** Pixels scaled to [0, 1] and nothing more. */
    public static Normalisation none(int channels) {
        float[] zeros = new float[channels];
        float[] ones = new float[channels];
        Arrays.fill(ones, 1f);
        return new Normalisation(zeros, ones);
    }

    public float apply(int channel, int pixel) {
        return (pixel / 255f - mean[channel]) / std[channel];
    }

    /** {@link #apply(int, int)} of a level between whole ones (an interpolated or jittered pixel). */
    public float apply(int channel, float level) {
        return (level / 255f - mean[channel]) / std[channel];
    }

    /** Each channel's mean and standard deviation over a dataset's pixels, scaled to [0, 1]. */
    public static Normalisation of(Dataset data) {
        int c = data.channels();
        int plane = data.height() * data.width();
        double[] sum = new double[c];
        double[] squares = new double[c];
        byte[] pixels = data.pixels();
        for (int i = 0; i < data.size(); i++) {
            for (int k = 0; k < c; k++) {
                int from = (i * c + k) * plane;
                for (int p = from; p < from + plane; p++) {
                    double v = (pixels[p] & 0xff) / 255.0;
                    sum[k] += v;
                    squares[k] += v * v;
                }
            }
        }
        float[] mean = new float[c];
        float[] std = new float[c];
        double n = (double) data.size() * plane;
        for (int k = 0; k < c; k++) {
            mean[k] = (float) (sum[k] / n);
            // A blank dataset has no spread: 1 leaves it as scaled rather than dividing by zero.
            double variance = squares[k] / n - mean[k] * (double) mean[k];
            std[k] = variance > 1e-12 ? (float) Math.sqrt(variance) : 1f;
        }
        return new Normalisation(mean, std);
    }
}
