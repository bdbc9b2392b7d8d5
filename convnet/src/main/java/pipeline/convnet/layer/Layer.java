package pipeline.convnet.layer;

import java.util.List;
import pipeline.convnet.tensor.Tensor;

/**
 * An {@link Op} with one input and one output: a step of a chain, with its backward pass beside its
 * forward pass.
 *
 * <p>{@link #forward} keeps what {@link #backward} needs; {@link #backward} takes the loss
 * gradient with respect to the last output, adds the gradients of the parameters into their
 * {@link Parameter#grad()}, and returns the gradient with respect to the last input.
 *
 * <p>Threads: a forward pass in {@link Mode#INFER} computes its output from the parameters, the running
 * statistics and its input alone (scratch space is per thread), so several threads may run inference
 * on one network at once, as the inference worker's loops do. What a pass records for backward belongs
 * to the network, so training and inspection (backward after inference) need a network to themselves.
 */
public interface Layer extends Op {

    Tensor forward(Tensor input, Mode mode);

    Tensor backward(Tensor gradOutput);

    /**
     * Inference into {@code out}, which has {@link #outputShape} of {@code x}'s shape and may hold anything
     * on entry: every element of it is written and nothing is kept for backward, so any number of threads
     * may call this at once. {@code out} shares no memory with {@code x} unless {@link #elementwise()}.
     * This default runs {@link #forward} and copies its result; layers on the serving path write in place.
     */
    default void infer(Tensor x, Tensor out) {
        Tensor y = forward(x, Mode.INFER);
        System.arraycopy(y.data(), 0, out.data(), 0, y.size());
    }

    /** The output shape for a batch of the given input shape, checking it as {@link #forward} would. */
    int[] outputShape(int[] inputShape);

    @Override
    default List<int[]> outputShapes(List<int[]> inputShapes) {
        return List.of(outputShape(inputShapes.getFirst()));
    }

    @Override
    default List<Tensor> forward(List<Tensor> inputs, Mode mode) {
        return List.of(forward(inputs.getFirst(), mode));
    }

    @Override
    default List<Tensor> backward(List<Tensor> gradOutputs) {
        return List.of(backward(gradOutputs.getFirst()));
    }

    @Override
    default void infer(List<Tensor> inputs, List<Tensor> outputs) {
        infer(inputs.getFirst(), outputs.getFirst());
    }
}
