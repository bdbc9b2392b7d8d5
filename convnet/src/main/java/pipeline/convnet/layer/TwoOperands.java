package pipeline.convnet.layer;

import java.util.List;
import pipeline.convnet.tensor.Tensor;

/** What ops of two operands share: the arity, and a forward pass that keeps both for backward and infers into a new tensor. */
abstract class TwoOperands implements Op {

    /** The operands of the last forward pass. */
    protected Tensor a;
    protected Tensor b;

    @Override
    public final int arity() {
        return 2;
    }

    @Override
    public final List<Tensor> forward(List<Tensor> inputs, Mode mode) {
        a = inputs.get(0);
        b = inputs.get(1);
        Tensor y = Tensor.zeros(outputShapes(List.of(a.shape(), b.shape())).getFirst());
        infer(inputs, List.of(y));
        return List.of(y);
    }
}
