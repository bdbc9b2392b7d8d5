package pipeline.convnet.layer;

import java.util.List;
import pipeline.convnet.tensor.Tensor;

/**
 * A fixed tensor in a graph: no inputs, one output, its value (a scale, an offset, a mask). Not a
 * parameter: training leaves it as it is. A model file stores it beside the weights, as {@code name.value}.
 */
public final class Constant implements Op {

    private final Tensor value;

    public Constant(Tensor value) {
        this.value = value;
    }

    /** The tensor; writing into it changes the constant (as loading a model does). */
    public Tensor value() {
        return value;
    }

    @Override
    public String describe() {
        return "constant" + value.shapeString();
    }

    @Override
    public int arity() {
        return 0;
    }

    @Override
    public List<int[]> outputShapes(List<int[]> inputShapes) {
        return List.of(value.shape());
    }

    /** The value itself, not a copy: ops never write into their inputs. */
    @Override
    public List<Tensor> forward(List<Tensor> inputs, Mode mode) {
        return List.of(value);
    }

    @Override
    public List<Tensor> backward(List<Tensor> gradOutputs) {
        return List.of();
    }

    @Override
    public void infer(List<Tensor> inputs, List<Tensor> outputs) {
        System.arraycopy(value.data(), 0, outputs.getFirst().data(), 0, value.size());
    }
}
