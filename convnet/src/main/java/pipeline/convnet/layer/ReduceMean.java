package pipeline.convnet.layer;

import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * The mean over some axes (ONNX's ReduceMean), those axes kept as size 1 or dropped. Backward spreads
 * each output's gradient evenly over the values it averaged.
 */
public final class ReduceMean implements Layer {

    private final int[] axes;
    private final boolean keepDims;
    private int[] inputShape;

    /** Over {@code axes} (negative count from the end); all axes when empty. */
    public ReduceMean(int[] axes, boolean keepDims) {
        this.axes = axes.clone();
        this.keepDims = keepDims;
    }

    public int[] axes() {
        return axes.clone();
    }

    public boolean keepDims() {
        return keepDims;
    }

    @Override
    public String describe() {
        return "reduce-mean(" + Arrays.stream(axes).mapToObj(Integer::toString).collect(Collectors.joining(", "))
                + (keepDims ? ", kept" : "") + ")";
    }

    /** For each input axis, whether it is averaged over. */
    private boolean[] reduced(int[] in) {
        boolean[] reduced = new boolean[in.length];
        if (axes.length == 0) {
            Arrays.fill(reduced, true);
        }
        for (int a : axes) {
            int at = a < 0 ? a + in.length : a;
            if (at < 0 || at >= in.length) {
                throw new IllegalArgumentException(describe() + ": axis " + a + " is outside input " + Shapes.toString(in));
            }
            reduced[at] = true;
        }
        return reduced;
    }

    @Override
    public int[] outputShape(int[] in) {
        boolean[] reduced = reduced(in);
        return IntStream.range(0, in.length).filter(i -> keepDims || !reduced[i])
                .map(i -> reduced[i] ? 1 : in[i]).toArray();
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        inputShape = x.shape();
        Tensor y = Tensor.zeros(outputShape(x.shape()));
        infer(x, y);
        return y;
    }

    @Override
    public void infer(Tensor x, Tensor out) {
        int[] in = x.shape();
        int[] target = targets(in);
        float[] sums = new float[out.size()];
        for (int i = 0; i < x.size(); i++) {
            sums[target[i]] += x.data()[i];
        }
        float count = (float) x.size() / Math.max(1, out.size());
        for (int o = 0; o < sums.length; o++) {
            out.data()[o] = sums[o] / count;
        }
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        int[] target = targets(inputShape);
        Tensor gradIn = Tensor.zeros(inputShape);
        float count = (float) gradIn.size() / Math.max(1, gradOut.size());
        for (int i = 0; i < gradIn.size(); i++) {
            gradIn.data()[i] = gradOut.data()[target[i]] / count;
        }
        return gradIn;
    }

    /** For each input element, the output element it averages into. */
    private int[] targets(int[] in) {
        boolean[] reduced = reduced(in);
        int[] target = new int[Shapes.size(in)];
        for (int i = 0; i < target.length; i++) {
            int rest = i;
            int o = 0;
            int stride = 1;
            for (int axis = in.length - 1; axis >= 0; axis--) {
                int position = rest % in[axis];
                rest /= in[axis];
                if (!reduced[axis]) {
                    o += position * stride;
                    stride *= in[axis];
                }
            }
            target[i] = o;
        }
        return target;
    }
}
