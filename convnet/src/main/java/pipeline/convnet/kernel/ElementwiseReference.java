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
