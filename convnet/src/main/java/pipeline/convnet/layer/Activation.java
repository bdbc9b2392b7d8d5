package pipeline.convnet.layer;

import pipeline.convnet.kernel.Elementwise;
import pipeline.convnet.kernel.Parallelism;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * An element-wise function {@code y = f(x)} of any shape; backward multiplies by {@code f'(x)},
 * which each function states from its input and output (whichever is cheaper).
 */
public abstract class Activation implements Layer {

    /** Elements per parallel chunk. */
    private static final int GRAIN = 1 << 15;

    private Tensor input;
    private Tensor output;

    /** {@code y[i] = f(x[i])} for {@code i} in {@code [from, to)}. */
    protected abstract void apply(float[] x, float[] y, int from, int to);

    /** {@code gradIn[i] = gradOut[i] · f'(x[i])}, given {@code x} and {@code y = f(x)}, over {@code [from, to)}. */
    protected abstract void gradient(float[] x, float[] y, float[] gradOut, float[] gradIn, int from, int to);

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Tensor y = Tensor.zeros(x.shape());
        infer(x, y);
        input = x;
        output = y;
        return y;
    }

    @Override
    public void infer(Tensor x, Tensor out) {
        Parallelism.forRange(x.size(), GRAIN, (from, to) -> apply(x.data(), out.data(), from, to));
    }

    @Override
    public boolean elementwise() {
        return true;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Shapes.require(describe() + " backward", gradOut, output.shape());
        Tensor gradIn = Tensor.zeros(gradOut.shape());
        Parallelism.forRange(gradOut.size(), GRAIN,
                (from, to) -> gradient(input.data(), output.data(), gradOut.data(), gradIn.data(), from, to));
        return gradIn;
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }

    /** {@code max(0, x)}; NaN stays NaN (as in PyTorch), so broken weights are not silently masked. */
    public static final class Relu extends Activation {
        @Override
        protected void apply(float[] x, float[] y, int from, int to) {
            Elementwise.relu(x, y, from, to);
        }

        @Override
        protected void gradient(float[] x, float[] y, float[] gradOut, float[] gradIn, int from, int to) {
            Elementwise.reluGradient(x, gradOut, gradIn, from, to);
        }

        @Override public String describe() { return "relu"; }
    }

    /** {@code x} for positive {@code x}, {@code slope·x} otherwise. */
    public static final class LeakyRelu extends Activation {
        private final float slope;

        public LeakyRelu(float slope) {
            this.slope = slope;
        }

        public float slope() { return slope; }

        @Override
        protected void apply(float[] x, float[] y, int from, int to) {
            Elementwise.leakyRelu(x, y, from, to, slope);
        }

        @Override
        protected void gradient(float[] x, float[] y, float[] gradOut, float[] gradIn, int from, int to) {
            Elementwise.leakyReluGradient(x, gradOut, gradIn, from, to, slope);
        }

        @Override public String describe() { return "leaky-relu(" + slope + ")"; }
    }

    /**
     * {@code min(max(0, x), 6)}, MobileNet's activation (PyTorch's {@code ReLU6}); {@code f' = 1} strictly
     * between 0 and 6, else 0; NaN stays NaN.
     */
    public static final class Relu6 extends Activation {
        static final float CAP = 6f;

        @Override
        protected void apply(float[] x, float[] y, int from, int to) {
            Elementwise.clamp(x, y, from, to, CAP);
        }

        @Override
        protected void gradient(float[] x, float[] y, float[] gradOut, float[] gradIn, int from, int to) {
            for (int i = from; i < to; i++) {
                gradIn[i] = x[i] > 0f && x[i] < CAP ? gradOut[i] : 0f;
            }
        }

        @Override public String describe() { return "relu6"; }
    }

    /** {@code 1 / (1 + e^−x)}; {@code f' = y(1 − y)}. */
    public static final class Sigmoid extends Activation {
        @Override
        protected void apply(float[] x, float[] y, int from, int to) {
            for (int i = from; i < to; i++) {
                y[i] = (float) (1.0 / (1.0 + Math.exp(-x[i])));
            }
        }

        @Override
        protected void gradient(float[] x, float[] y, float[] gradOut, float[] gradIn, int from, int to) {
            for (int i = from; i < to; i++) {
                gradIn[i] = gradOut[i] * (y[i] * (1f - y[i]));
            }
        }

        @Override public String describe() { return "sigmoid"; }
    }

    /** {@code tanh x}; {@code f' = 1 − y²}. */
    public static final class Tanh extends Activation {
        @Override
        protected void apply(float[] x, float[] y, int from, int to) {
            for (int i = from; i < to; i++) {
                y[i] = (float) Math.tanh(x[i]);
            }
        }

        @Override
        protected void gradient(float[] x, float[] y, float[] gradOut, float[] gradIn, int from, int to) {
            for (int i = from; i < to; i++) {
                gradIn[i] = gradOut[i] * (1f - y[i] * y[i]);
            }
        }

        @Override public String describe() { return "tanh"; }
    }

    /** {@code min(max(x, low), high)} (ONNX's Clip); {@code f' = 1} strictly between the bounds, else 0; NaN stays NaN. */
    public static final class Clip extends Activation {
        private final float low;
        private final float high;

        public Clip(float low, float high) {
            if (!(low <= high)) {
                throw new IllegalArgumentException("clip needs min ≤ max; got min " + low + ", max " + high);
            }
            this.low = low;
            this.high = high;
        }

        public float low() { return low; }

        public float high() { return high; }

        @Override
        protected void apply(float[] x, float[] y, int from, int to) {
            for (int i = from; i < to; i++) {
                y[i] = x[i] < low ? low : x[i] > high ? high : x[i];
            }
        }

        @Override
        protected void gradient(float[] x, float[] y, float[] gradOut, float[] gradIn, int from, int to) {
            for (int i = from; i < to; i++) {
                gradIn[i] = x[i] > low && x[i] < high ? gradOut[i] : 0f;
            }
        }

        @Override public String describe() { return "clip(" + low + ", " + high + ")"; }
    }

    /** {@code max(0, min(1, α·x + β))} (ONNX's HardSigmoid; α = 0.2, β = 0.5 by default); {@code f' = α} where 0 < y < 1. */
    public static final class HardSigmoid extends Activation {
        private final float alpha;
        private final float beta;

        public HardSigmoid(float alpha, float beta) {
            this.alpha = alpha;
            this.beta = beta;
        }

        public float alpha() { return alpha; }

        public float beta() { return beta; }

        @Override
        protected void apply(float[] x, float[] y, int from, int to) {
            for (int i = from; i < to; i++) {
                y[i] = Math.max(0f, Math.min(1f, alpha * x[i] + beta));
            }
        }

        @Override
        protected void gradient(float[] x, float[] y, float[] gradOut, float[] gradIn, int from, int to) {
            for (int i = from; i < to; i++) {
                float v = alpha * x[i] + beta;
                gradIn[i] = v > 0f && v < 1f ? gradOut[i] * alpha : 0f;
            }
        }

        @Override public String describe() { return "hard-sigmoid(" + alpha + ", " + beta + ")"; }
    }

    /** {@code x · max(0, min(1, x/6 + 1/2))}, MobileNetV3's activation; {@code f' = x/3 + 1/2} on (−3, 3). */
    public static final class HardSwish extends Activation {
        @Override
        protected void apply(float[] x, float[] y, int from, int to) {
            for (int i = from; i < to; i++) {
                y[i] = x[i] * Math.max(0f, Math.min(1f, x[i] / 6f + 0.5f));
            }
        }

        @Override
        protected void gradient(float[] x, float[] y, float[] gradOut, float[] gradIn, int from, int to) {
            for (int i = from; i < to; i++) {
                gradIn[i] = gradOut[i] * (x[i] <= -3f ? 0f : x[i] >= 3f ? 1f : x[i] / 3f + 0.5f);
            }
        }

        @Override public String describe() { return "hard-swish"; }
    }
}
