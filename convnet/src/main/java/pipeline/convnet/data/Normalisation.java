package pipeline.convnet.data;

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

    public float apply(int channel, int pixel) {
        return (pixel / 255f - mean[channel]) / std[channel];
    }
}
