package pipeline.convnet.layer;

import java.util.Arrays;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * Softmax along one axis, {@code y_i = e^(x_i − max) / Σ_j e^(x_j − max)}, or its logarithm
 * ({@code log}: {@code x_i − max − log Σ_j e^(x_j − max)}), stable for any logits. The input is seen as
 * {@code [outer, K, inner]} around the axis. Backward: {@code dx = y ⊙ (g − Σ g·y)}, for the logarithm
 * {@code dx = g − softmax ⊙ Σ g}.
 */
public final class Softmax implements Layer {

    private final int axis;
    private final boolean log;
    private Tensor output;

    /** Along {@code axis} (negative counts from the end); the logarithm of it when {@code log}. */
    public Softmax(int axis, boolean log) {
        this.axis = axis;
        this.log = log;
    }

    public int axis() {
        return axis;
    }

    public boolean log() {
        return log;
    }

    @Override
    public String describe() {
        return (log ? "log-softmax" : "softmax") + "(axis " + axis + ")";
    }

    @Override
    public int[] outputShape(int[] in) {
        axisOf(in);
        return in.clone();
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Tensor y = Tensor.zeros(x.shape());
        infer(x, y);
        output = y;
        return y;
    }

    @Override
    public void infer(Tensor x, Tensor out) {
        Rows rows = rows(x.shape());
        int outer = rows.outer();
        int k = rows.k();
        int inner = rows.inner();
        float[] in = x.data();
        float[] y = out.data();
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                int base = o * k * inner + j;
                float max = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < k; i++) {
                    max = Math.max(max, in[base + i * inner]);
                }
                double sum = 0;
                for (int i = 0; i < k; i++) {
                    sum += Math.exp(in[base + i * inner] - max);
                }
                double logSum = Math.log(sum);
                for (int i = 0; i < k; i++) {
                    double shifted = in[base + i * inner] - max;
                    y[base + i * inner] = (float) (log ? shifted - logSum : Math.exp(shifted) / sum);
                }
            }
        }
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Rows rows = rows(output.shape());
        int outer = rows.outer();
        int k = rows.k();
        int inner = rows.inner();
        float[] y = output.data();
        float[] g = gradOut.data();
        Tensor gradIn = Tensor.zeros(output.shape());
        float[] dx = gradIn.data();
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                int base = o * k * inner + j;
                double dot = 0;
                for (int i = 0; i < k; i++) {
                    int e = base + i * inner;
                    dot += log ? g[e] : (double) g[e] * y[e];
                }
                for (int i = 0; i < k; i++) {
                    int e = base + i * inner;
                    dx[e] = (float) (log ? g[e] - Math.exp(y[e]) * dot : y[e] * (g[e] - dot));
                }
            }
        }
        return gradIn;
    }

    /** The input seen as {@code [outer, k, inner]} around the axis. */
    private record Rows(int outer, int k, int inner) {}

    private Rows rows(int[] shape) {
        int at = axisOf(shape);
        int inner = Shapes.size(Arrays.copyOfRange(shape, at + 1, shape.length));
        return new Rows(Shapes.size(Arrays.copyOf(shape, at)), shape[at], inner);
    }

    private int axisOf(int[] shape) {
        int at = axis < 0 ? axis + shape.length : axis;
        if (at < 0 || at >= shape.length) {
            throw new IllegalArgumentException(describe() + ": axis " + axis + " is outside input of shape " + Shapes.toString(shape));
        }
        return at;
    }
}
