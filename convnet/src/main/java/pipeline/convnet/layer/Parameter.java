package pipeline.convnet.layer;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import pipeline.convnet.tensor.Tensor;

/**
 * A learnable tensor and the gradient accumulated into it by backward passes.
 *
 * @param name  e.g. "weight", "bias"
 * @param decay whether weight decay applies (weights yes; biases and batch-norm scales no)
 */
public record Parameter(String name, Tensor value, Tensor grad, boolean decay) {

    public static Parameter of(String name, Tensor value, boolean decay) {
        return new Parameter(name, value, Tensor.zeros(value.shape()), decay);
    }

    /** The given parameters in order, leaving out absent ones (a layer built without bias). */
    public static List<Parameter> present(Parameter... parameters) {
        return Arrays.stream(parameters).filter(Objects::nonNull).toList();
    }

    public void zeroGrad() {
        Arrays.fill(grad.data(), 0f);
    }
}
