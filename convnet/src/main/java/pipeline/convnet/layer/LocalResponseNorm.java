package pipeline.convnet.layer;

import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * Local response normalisation across channels (AlexNet; ONNX's LRN): each value divided by
 * {@code (bias + α/size · Σ x²)^β}, the sum over the {@code size} channels around its own (fewer at the
 * edges), at the same position. Input {@code [N, C, …]}. Backward:
 * {@code dx_c = g_c·s_c^−β − (2αβ/size)·x_c·Σ_{d: c in window(d)} g_d·x_d·s_d^(−β−1)}, {@code s} the divisor's base.
 */
public final class LocalResponseNorm implements Layer {

    private final int size;
    private final float alpha;
    private final float beta;
    private final float bias;
    private Tensor input;
    private double[] bases;

    public LocalResponseNorm(int size, float alpha, float beta, float bias) {
        if (size < 1) {
            throw new IllegalArgumentException("lrn size must be 1 or more; got " + size);
        }
        this.size = size;
        this.alpha = alpha;
        this.beta = beta;
        this.bias = bias;
    }

    public int size() {
        return size;
    }

    public float alpha() {
        return alpha;
    }

    public float beta() {
        return beta;
    }

    public float bias() {
        return bias;
    }

    @Override
    public String describe() {
        return "lrn(size " + size + ", α " + alpha + ", β " + beta + ", bias " + bias + ")";
    }

    @Override
    public int[] outputShape(int[] in) {
        if (in.length < 3) {
            throw new IllegalArgumentException(describe() + " expects input [N, C, …] but got " + Shapes.toString(in));
        }
        return in.clone();
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Tensor y = Tensor.zeros(outputShape(x.shape()));
        double[] s = bases(x);
        for (int i = 0; i < x.size(); i++) {
            y.data()[i] = (float) (x.data()[i] * Math.pow(s[i], -beta));
        }
        input = x;
        bases = s;
        return y;
    }

    @Override
    public void infer(Tensor x, Tensor out) {
        double[] s = bases(x);
        for (int i = 0; i < x.size(); i++) {
            out.data()[i] = (float) (x.data()[i] * Math.pow(s[i], -beta));
        }
    }

    /** For each value, {@code bias + α/size · Σ x²} over its window of channels. */
    private double[] bases(Tensor x) {
        int channels = x.dim(1);
        int plane = x.size() / x.dim(0) / channels;
        int below = (size - 1) / 2;
        int above = size - 1 - below;
        double[] s = new double[x.size()];
        float[] v = x.data();
        for (int n = 0; n < x.dim(0); n++) {
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < plane; p++) {
                    double sum = 0;
                    for (int d = Math.max(0, c - below); d <= Math.min(channels - 1, c + above); d++) {
                        float u = v[(n * channels + d) * plane + p];
                        sum += (double) u * u;
                    }
                    s[(n * channels + c) * plane + p] = bias + alpha / size * sum;
                }
            }
        }
        return s;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        int channels = input.dim(1);
        int plane = input.size() / input.dim(0) / channels;
        int below = (size - 1) / 2;
        int above = size - 1 - below;
        float[] x = input.data();
        float[] g = gradOut.data();
        Tensor gradIn = Tensor.zeros(input.shape());
        double factor = 2.0 * alpha * beta / size;
        for (int n = 0; n < input.dim(0); n++) {
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < plane; p++) {
                    int i = (n * channels + c) * plane + p;
                    double cross = 0;
                    // Channel d's window holds c when d − above ≤ c ≤ d + below.
                    for (int d = Math.max(0, c - above); d <= Math.min(channels - 1, c + below); d++) {
                        int j = (n * channels + d) * plane + p;
                        cross += g[j] * x[j] * Math.pow(bases[j], -beta - 1);
                    }
                    gradIn.data()[i] = (float) (g[i] * Math.pow(bases[i], -beta) - factor * x[i] * cross);
                }
            }
        }
        return gradIn;
    }
}
