package pipeline.convnet.layer;

import pipeline.convnet.tensor.Tensor;

/**
 * An element-wise function {@code y = f(x)} of any shape; backward multiplies by {@code f'(x)},
 * which each function states from its input and output (whichever is cheaper).
 */
public abstract class Activation implements Layer {

    private Tensor input;
    private Tensor output;

    /** {@code f(x)}. */
    protected abstract float apply(float x);

    /** {@code f'(x)}, given {@code x} and {@code y = f(x)}. */
    protected abstract float derivative(float x, float y);

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Tensor y = Tensor.zeros(x.shape());
        float[] in = x.data();
        float[] out = y.data();
        for (int i = 0; i < in.length; i++) {
            out[i] = apply(in[i]);
        }
        input = x;
        output = y;
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        if (!gradOut.sameShape(output)) {
            throw new IllegalArgumentException(describe() + " backward expects a gradient of shape " + output.shapeString()
                    + " but got " + gradOut.shapeString());
        }
        Tensor gradIn = Tensor.zeros(gradOut.shape());
        float[] g = gradOut.data();
        float[] x = input.data();
        float[] y = output.data();
        float[] d = gradIn.data();
        for (int i = 0; i < g.length; i++) {
            d[i] = g[i] * derivative(x[i], y[i]);
        }
        return gradIn;
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }

    /** {@code max(0, x)}; NaN stays NaN (as in PyTorch), so broken weights are not silently masked. */
    public static final class Relu extends Activation {
        @Override protected float apply(float x) { return x <= 0f ? 0f : x; }
        @Override protected float derivative(float x, float y) { return x > 0f ? 1f : 0f; }
        @Override public String describe() { return "relu"; }
    }

    /** {@code x} for positive {@code x}, {@code slope·x} otherwise. */
    public static final class LeakyRelu extends Activation {
        private final float slope;

        public LeakyRelu(float slope) {
            this.slope = slope;
        }

        public float slope() { return slope; }
        @Override protected float apply(float x) { return x > 0f ? x : slope * x; }
        @Override protected float derivative(float x, float y) { return x > 0f ? 1f : slope; }
        @Override public String describe() { return "leaky-relu(" + slope + ")"; }
    }

    /** {@code 1 / (1 + e^−x)}; {@code f' = y(1 − y)}. */
    public static final class Sigmoid extends Activation {
        @Override protected float apply(float x) { return (float) (1.0 / (1.0 + Math.exp(-x))); }
        @Override protected float derivative(float x, float y) { return y * (1f - y); }
        @Override public String describe() { return "sigmoid"; }
    }

    /** {@code tanh x}; {@code f' = 1 − y²}. */
    public static final class Tanh extends Activation {
        @Override protected float apply(float x) { return (float) Math.tanh(x); }
        @Override protected float derivative(float x, float y) { return 1f - y * y; }
        @Override public String describe() { return "tanh"; }
    }
}
