package pipeline.convnet.layer;

import java.util.List;
import pipeline.convnet.tensor.Tensor;

/**
 * One step of a network, with its backward pass beside its forward pass.
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
public interface Layer {

    /** What the layer is, for messages: "conv2d(6, k=5)". */
    String describe();

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

    /** Whether output element i depends on input element i alone, so {@link #infer} may write over its input. */
    default boolean elementwise() {
        return false;
    }

    default List<Parameter> parameters() {
        return List.of();
    }

    /**
     * Floats a serving copy holds beside its parameters (its weights rearranged for a kernel: transposed,
     * transformed for Winograd), counted in what serving needs; nested layers' included.
     */
    default long derivedFloats() {
        return 0;
    }

    /** The output shape for a batch of the given input shape, checking it as {@link #forward} would. */
    int[] outputShape(int[] inputShape);
}
