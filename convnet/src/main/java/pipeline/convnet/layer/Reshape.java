package pipeline.convnet.layer;

import java.util.Arrays;
import java.util.stream.Collectors;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * The same values under another shape, a view (no copy). A target dimension of 0 keeps the input's size
 * on that axis (so {@code 0, -1} keeps the batch, whatever it is); one of −1 takes what the others leave,
 * as ONNX's Reshape.
 */
public final class Reshape implements Layer {

    private final int[] target;
    private int[] inputShape;

    public Reshape(int... target) {
        if (Arrays.stream(target).filter(d -> d == -1).count() > 1 || Arrays.stream(target).anyMatch(d -> d < -1)) {
            throw new IllegalArgumentException("reshape takes sizes of 0 or more and at most one −1; got "
                    + Shapes.toString(target));
        }
        this.target = target.clone();
    }

    public int[] target() {
        return target.clone();
    }

    @Override
    public String describe() {
        return "reshape(" + Arrays.stream(target).mapToObj(Integer::toString).collect(Collectors.joining(", ")) + ")";
    }

    @Override
    public int[] outputShape(int[] in) {
        int[] out = target.clone();
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0) {
                if (i >= in.length) {
                    throw new IllegalArgumentException(describe() + ": size 0 keeps axis " + i + " of the input, but "
                            + Shapes.toString(in) + " has " + in.length + " axes");
                }
                out[i] = in[i];
            }
            if (out[i] == -1) {
                inferred = i;
            } else {
                known *= out[i];
            }
        }
        int size = Shapes.size(in);
        if (inferred >= 0) {
            if (known == 0 || size % known != 0) {
                throw new IllegalArgumentException(describe() + " cannot shape " + Shapes.toString(in) + " (" + size
                        + " values) into " + Shapes.toString(out));
            }
            out[inferred] = (int) (size / known);
        } else if (known != size) {
            throw new IllegalArgumentException(describe() + " cannot shape " + Shapes.toString(in) + " (" + size
                    + " values) into " + Shapes.toString(out) + " (" + known + " values)");
        }
        return out;
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        inputShape = x.shape();
        return x.reshape(outputShape(x.shape()));
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        return gradOut.reshape(inputShape);
    }

    @Override
    public boolean view() {
        return true;
    }
}
