package pipeline.convnet.layer;

import java.util.Arrays;
import java.util.List;
import pipeline.convnet.kernel.Broadcast;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * {@code x} for positive {@code x}, {@code slope·x} otherwise, with a learned slope that broadcasts to the
 * input (one per channel as {@code [C, 1, 1]}, or one for all as {@code [1]}): ONNX's PRelu. Backward:
 * {@code dx = g·(x > 0 ? 1 : slope)}, {@code dslope += Σ g·x} over the negative inputs each slope scales.
 */
public final class PRelu implements Layer {

    private final Parameter slope;
    private Tensor input;

    /** A slope of the given shape, 0.25 everywhere (PyTorch's initial value). */
    public PRelu(int... slopeShape) {
        Tensor s = Tensor.zeros(slopeShape);
        Arrays.fill(s.data(), 0.25f);
        this.slope = Parameter.of("slope", s, false);
    }

    public Parameter slope() {
        return slope;
    }

    @Override
    public String describe() {
        return "prelu" + slope.value().shapeString();
    }

    @Override
    public int[] outputShape(int[] in) {
        int[] out = Broadcast.shape(describe(), in, slope.value().shape());
        if (!Arrays.equals(out, in)) {
            throw new IllegalArgumentException(describe() + ": the slope must broadcast to the input "
                    + Shapes.toString(in));
        }
        return out;
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        input = x;
        Tensor y = Tensor.zeros(outputShape(x.shape()));
        infer(x, y);
        return y;
    }

    @Override
    public void infer(Tensor x, Tensor out) {
        int[] shape = x.shape();
        int[] slopeShape = slope.value().shape();
        float[] s = slope.value().data();
        for (int i = 0; i < x.size(); i++) {
            float v = x.data()[i];
            out.data()[i] = v > 0f ? v : s[Broadcast.source(i, shape, slopeShape)] * v;
        }
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        int[] shape = input.shape();
        int[] slopeShape = slope.value().shape();
        float[] s = slope.value().data();
        float[] ds = slope.grad().data();
        Tensor gradIn = Tensor.zeros(shape);
        for (int i = 0; i < input.size(); i++) {
            float v = input.data()[i];
            float g = gradOut.data()[i];
            if (v > 0f) {
                gradIn.data()[i] = g;
            } else {
                int at = Broadcast.source(i, shape, slopeShape);
                gradIn.data()[i] = g * s[at];
                ds[at] += g * v;
            }
        }
        return gradIn;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(slope);
    }

    @Override
    public boolean elementwise() {
        return true;
    }
}
