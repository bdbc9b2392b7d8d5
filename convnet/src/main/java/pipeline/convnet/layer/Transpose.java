package pipeline.convnet.layer;

import java.util.Arrays;
import java.util.stream.Collectors;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * Axes reordered: output axis i is input axis {@code perm[i]} ({@code 0, 2, 3, 1} turns NCHW into NHWC).
 * Backward applies the inverse permutation.
 */
public final class Transpose implements Layer {

    private final int[] perm;

    public Transpose(int... perm) {
        int[] sorted = perm.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            if (sorted[i] != i) {
                throw new IllegalArgumentException("transpose needs a permutation of 0 to " + (perm.length - 1) + "; got "
                        + Shapes.toString(perm));
            }
        }
        this.perm = perm.clone();
    }

    public int[] perm() {
        return perm.clone();
    }

    @Override
    public String describe() {
        return "transpose(" + Arrays.stream(perm).mapToObj(Integer::toString).collect(Collectors.joining(", ")) + ")";
    }

    @Override
    public int[] outputShape(int[] in) {
        if (in.length != perm.length) {
            throw new IllegalArgumentException(describe() + " expects input of rank " + perm.length + " but got "
                    + Shapes.toString(in));
        }
        int[] out = new int[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = in[perm[i]];
        }
        return out;
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Tensor y = Tensor.zeros(outputShape(x.shape()));
        infer(x, y);
        return y;
    }

    @Override
    public void infer(Tensor x, Tensor out) {
        permute(x.data(), x.shape(), perm, out.data());
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        int[] inverse = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inverse[perm[i]] = i;
        }
        int[] inShape = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inShape[perm[i]] = gradOut.dim(i);
        }
        Tensor gradIn = Tensor.zeros(inShape);
        permute(gradOut.data(), gradOut.shape(), inverse, gradIn.data());
        return gradIn;
    }

    /** {@code out[i_0, …] = in[i_perm…]}: the output walked in order, the input by its strides along the permuted axes. */
    private static void permute(float[] in, int[] inShape, int[] perm, float[] out) {
        int rank = inShape.length;
        int[] inStrides = new int[rank];
        for (int i = rank - 1, stride = 1; i >= 0; stride *= inShape[i], i--) {
            inStrides[i] = stride;
        }
        int[] outShape = new int[rank];
        int[] steps = new int[rank];
        for (int i = 0; i < rank; i++) {
            outShape[i] = inShape[perm[i]];
            steps[i] = inStrides[perm[i]];
        }
        int[] index = new int[rank];
        int from = 0;
        for (int o = 0, n = Shapes.size(outShape); o < n; o++) {
            out[o] = in[from];
            for (int axis = rank - 1; axis >= 0; axis--) {
                from += steps[axis];
                if (++index[axis] < outShape[axis]) {
                    break;
                }
                from -= steps[axis] * outShape[axis];
                index[axis] = 0;
            }
        }
    }
}
