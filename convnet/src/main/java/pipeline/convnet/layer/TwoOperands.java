package pipeline.convnet.layer;

import java.util.List;
import pipeline.convnet.tensor.Tensor;

/**
 * What ops of two operands share: the arity, and a forward pass that keeps both for backward and infers
 * into a new tensor. The pass computes from its arguments alone, never from the fields it keeps, so
 * threads running inference at once do not see each other's operands.
 */
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
        Tensor x = inputs.get(0);
        Tensor z = inputs.get(1);
        a = x;
        b = z;
        Tensor y = Tensor.zeros(outputShapes(List.of(x.shape(), z.shape())).getFirst());
        infer(inputs, List.of(y));
        return List.of(y);
    }
}
