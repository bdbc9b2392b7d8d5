package pipeline.convnet.kernel;

/** The scalar definitions {@link Elementwise} must equal, and its loop tails. */
public final class ElementwiseReference {

    private ElementwiseReference() {
    }

    public static void relu(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = x[i] <= 0f ? 0f : x[i];
        }
    }

    /** ReLU capped at {@code cap}; NaN stays NaN. */
    public static void clamp(float[] x, float[] y, int from, int to, float cap) {
        for (int i = from; i < to; i++) {
            y[i] = x[i] <= 0f ? 0f : x[i] >= cap ? cap : x[i];
        }
    }

    /** {@code y = a + b}, and {@code relu} of it when {@code relu}: a residual block's sum. */
    public static void add(float[] a, float[] b, float[] y, int from, int to, boolean relu) {
        for (int i = from; i < to; i++) {
            float sum = a[i] + b[i];
            y[i] = relu && sum <= 0f ? 0f : sum;
        }
    }

    public static void leakyRelu(float[] x, float[] y, int from, int to, float slope) {
        for (int i = from; i < to; i++) {
            y[i] = x[i] > 0f ? x[i] : slope * x[i];
        }
    }

    public static void leakyReluGradient(float[] x, float[] gradOut, float[] gradIn, int from, int to, float slope) {
        for (int i = from; i < to; i++) {
            gradIn[i] = gradOut[i] * (x[i] > 0f ? 1f : slope);
        }
    }
}
