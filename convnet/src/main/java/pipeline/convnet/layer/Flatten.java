package pipeline.convnet.layer;

import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/** {@code [N, C, H, W]} (or any rank ≥ 2) → {@code [N, C·H·W]}; a view, no copy. */
public final class Flatten implements Layer {

    private int[] inputShape;

    @Override
    public String describe() {
        return "flatten";
    }

    @Override
    public int[] outputShape(int[] in) {
        if (in.length < 2) {
            throw new IllegalArgumentException("flatten expects input of rank 2 or more but got " + Shapes.toString(in));
        }
        return new int[] {in[0], Shapes.size(in) / Math.max(1, in[0])};
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        inputShape = x.shape();
        return x.reshape(outputShape(x.shape()));
    }

    @Override
    public boolean view() {
        return true;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        return gradOut.reshape(inputShape);
    }
}
