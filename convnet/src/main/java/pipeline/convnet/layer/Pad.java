package pipeline.convnet.layer;

import java.util.Arrays;
import java.util.stream.Collectors;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * Constant padding of any rank: {@code pads = [b_0, …, b_{r−1}, e_0, …, e_{r−1}]} values of {@code value}
 * before and after each axis (ONNX's Pad, constant mode). Backward crops the gradient back.
 */
public final class Pad implements Layer {

    private final int[] pads;
    private final float value;
    private int[] inputShape;

    public Pad(int[] pads, float value) {
        if (pads.length % 2 != 0 || Arrays.stream(pads).anyMatch(p -> p < 0)) {
            throw new IllegalArgumentException("pad takes a size before and after each axis, 0 or more; got " + Shapes.toString(pads));
        }
        this.pads = pads.clone();
        this.value = value;
    }

    public int[] pads() {
        return pads.clone();
    }

    public float value() {
        return value;
    }

    @Override
    public String describe() {
        return "pad(" + Arrays.stream(pads).mapToObj(Integer::toString).collect(Collectors.joining(", ")) + " with " + value + ")";
    }

    @Override
    public int[] outputShape(int[] in) {
        if (pads.length != 2 * in.length) {
            throw new IllegalArgumentException(describe() + " pads " + pads.length / 2 + " axes but the input "
                    + Shapes.toString(in) + " has " + in.length);
        }
        int[] out = in.clone();
        for (int i = 0; i < in.length; i++) {
            out[i] += pads[i] + pads[i + in.length];
        }
        return out;
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
        Arrays.fill(out.data(), 0, out.size(), value);
        copyRows(x.shape(), out.shape(), x.data(), out.data(), true);
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Tensor gradIn = Tensor.zeros(inputShape);
        copyRows(inputShape, gradOut.shape(), gradIn.data(), gradOut.data(), false);
        return gradIn;
    }

    /**
     * The input's rows (its last axis) and their places in the padded tensor: copied into it when
     * {@code intoPadded}, else back out of it.
     */
    private void copyRows(int[] in, int[] out, float[] inner, float[] padded, boolean intoPadded) {
        int rank = in.length;
        int row = rank == 0 ? 1 : in[rank - 1];
        int rows = row == 0 ? 0 : Shapes.size(in) / row;
        int[] index = new int[Math.max(0, rank - 1)];
        for (int r = 0; r < rows; r++) {
            int at = 0;
            for (int axis = 0; axis < rank - 1; axis++) {
                at = at * out[axis] + index[axis] + pads[axis];
            }
            at = at * (rank == 0 ? 1 : out[rank - 1]) + (rank == 0 ? 0 : pads[rank - 1]);
            if (intoPadded) {
                System.arraycopy(inner, r * row, padded, at, row);
            } else {
                System.arraycopy(padded, at, inner, r * row, row);
            }
            for (int axis = rank - 2; axis >= 0; axis--) {
                if (++index[axis] < in[axis]) {
                    break;
                }
                index[axis] = 0;
            }
        }
    }
}
