package pipeline.convnet.layer;

import java.util.Arrays;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * A strided window of the input (ONNX's Slice): along each listed axis the elements
 * {@code start, start + step, …} before {@code end}, where negative positions count from the end and
 * both are clamped to the axis. Backward puts the gradient back in place, zeros elsewhere.
 */
public final class Slice implements Layer {

    private final int[] starts;
    private final int[] ends;
    private final int[] axes;
    private final int[] steps;
    private int[] inputShape;

    public Slice(int[] starts, int[] ends, int[] axes, int[] steps) {
        if (starts.length != ends.length || starts.length != axes.length || starts.length != steps.length) {
            throw new IllegalArgumentException("slice needs as many starts, ends, axes and steps; got " + starts.length + ", "
                    + ends.length + ", " + axes.length + ", " + steps.length);
        }
        if (Arrays.stream(steps).anyMatch(s -> s == 0)) {
            throw new IllegalArgumentException("slice steps cannot be 0");
        }
        this.starts = starts.clone();
        this.ends = ends.clone();
        this.axes = axes.clone();
        this.steps = steps.clone();
    }

    public int[] starts() {
        return starts.clone();
    }

    public int[] ends() {
        return ends.clone();
    }

    public int[] axes() {
        return axes.clone();
    }

    public int[] steps() {
        return steps.clone();
    }

    /**
     * {@code {first, count, step}} of the elements {@code start, start + step, …} before {@code end} on an axis of
     * {@code size}: negative positions count from the end, then both are clamped (ONNX's rules).
     */
    public static int[] range(int size, long start, long end, long step) {
        if (step == 0) {
            throw new IllegalArgumentException("slice step 0");
        }
        long s = start < 0 ? start + size : start;
        long e = end < 0 ? end + size : end;
        if (step > 0) {
            s = Math.clamp(s, 0, size);
            e = Math.clamp(e, 0, size);
        } else {
            s = Math.clamp(s, -1, size - 1);
            e = Math.clamp(e, -1, size - 1);
        }
        long count = step > 0 ? Math.max(0, (e - s + step - 1) / step) : Math.max(0, (s - e - step - 1) / -step);
        return new int[] {(int) s, (int) count, (int) step};
    }

    @Override
    public String describe() {
        return "slice(starts " + Arrays.toString(starts) + ", ends " + Arrays.toString(ends) + ", axes " + Arrays.toString(axes)
                + ", steps " + Arrays.toString(steps) + ")";
    }

    /** Per input axis: {@code {first, count, step}}. */
    private int[][] ranges(int[] in) {
        int[][] ranges = new int[in.length][];
        for (int i = 0; i < in.length; i++) {
            ranges[i] = new int[] {0, in[i], 1};
        }
        for (int j = 0; j < axes.length; j++) {
            int axis = axes[j] < 0 ? axes[j] + in.length : axes[j];
            if (axis < 0 || axis >= in.length) {
                throw new IllegalArgumentException(describe() + ": axis " + axes[j] + " is outside input " + Shapes.toString(in));
            }
            ranges[axis] = range(in[axis], starts[j], ends[j], steps[j]);
        }
        return ranges;
    }

    @Override
    public int[] outputShape(int[] in) {
        return Arrays.stream(ranges(in)).mapToInt(r -> r[1]).toArray();
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
        int[] source = sources(x.shape());
        for (int o = 0; o < source.length; o++) {
            out.data()[o] = x.data()[source[o]];
        }
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        int[] source = sources(inputShape);
        Tensor gradIn = Tensor.zeros(inputShape);
        for (int o = 0; o < source.length; o++) {
            gradIn.data()[source[o]] += gradOut.data()[o];
        }
        return gradIn;
    }

    /** For each output element, the input element it is. */
    private int[] sources(int[] in) {
        int[][] ranges = ranges(in);
        int[] out = Arrays.stream(ranges).mapToInt(r -> r[1]).toArray();
        int[] strides = new int[in.length];
        for (int i = in.length - 1, stride = 1; i >= 0; stride *= in[i], i--) {
            strides[i] = stride;
        }
        int[] source = new int[Shapes.size(out)];
        for (int o = 0; o < source.length; o++) {
            int rest = o;
            int at = 0;
            for (int axis = in.length - 1; axis >= 0; axis--) {
                int position = rest % out[axis];
                rest /= out[axis];
                at += (ranges[axis][0] + position * ranges[axis][2]) * strides[axis];
            }
            source[o] = at;
        }
        return source;
    }
}
