package pipeline.convnet.layer;

import java.util.List;
import pipeline.convnet.tensor.Tensor;

/**
 * One node's computation in a network graph: tensors in, tensors out, with its backward pass beside
 * its forward pass. A {@link Layer} is the common case of one input and one output; sums, products and
 * concatenations take several inputs.
 *
 * <p>{@link #forward} keeps what {@link #backward} needs; {@link #backward} takes the loss gradient with
 * respect to each output, adds the gradients of the parameters into their {@link Parameter#grad()}, and
 * returns the gradient with respect to each input. {@link #infer} writes into outputs it is given and
 * keeps nothing, so any number of threads may call it at once (see {@link Layer} on threads).
 */
public interface Op {

    /** What the op is, for messages: "conv2d(6, k=5)", "add". */
    String describe();

    /** How many inputs it takes, or −1 for any number from 1 up. */
    default int arity() {
        return 1;
    }

    /** The output shapes for inputs of the given shapes, checking them as {@link #forward} would. */
    List<int[]> outputShapes(List<int[]> inputShapes);

    List<Tensor> forward(List<Tensor> inputs, Mode mode);

    /** Gradients with respect to the inputs, in order, from those with respect to the outputs of the last forward pass. */
    List<Tensor> backward(List<Tensor> gradOutputs);

    /**
     * Inference into {@code outputs}, which have {@link #outputShapes} and may hold anything on entry: every
     * element is written, nothing is kept. An output shares memory with no input unless {@link #elementwise()}.
     */
    void infer(List<Tensor> inputs, List<Tensor> outputs);

    /**
     * Whether output element i depends only on element i of each input of the output's size, so
     * {@link #infer} may write over such an input.
     */
    default boolean elementwise() {
        return false;
    }

    /** Whether in inference its one output is its one input's values under another shape (flatten, dropout): no work, no storage. */
    default boolean view() {
        return false;
    }

    default List<Parameter> parameters() {
        return List.of();
    }

    /**
     * Floats a serving copy holds beside its parameters (its weights rearranged for a kernel: transposed,
     * transformed for Winograd), counted in what serving needs.
     */
    default long derivedFloats() {
        return 0;
    }
}
