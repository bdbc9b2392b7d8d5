package pipeline.convnet.layer;

import pipeline.convnet.kernel.Pooling;
import pipeline.convnet.tensor.Tensor;

/**
 * Max pooling over {@code [N, C, H, W]}; padding never wins (it counts as −∞), and a NaN in a
 * window wins (as in PyTorch), so it is not silently dropped. Backward routes each output gradient
 * to the input position that held the maximum (the first, on ties).
 */
public final class MaxPool2d extends Pool2d {

    /** For each output element, the flat index of its maximum in the input. */
    private int[] argmax;

    /** A square window: kernel, stride and padding the same on both axes, no dilation, sizes rounded down. */
    public MaxPool2d(int kernel, int stride, int pad) {
        this(Pooling.Slide.of(kernel, stride, pad), Pooling.Slide.of(kernel, stride, pad), false);
    }

    public MaxPool2d(Pooling.Slide rows, Pooling.Slide cols, boolean ceil) {
        super("maxpool2d", rows, cols, ceil, "");
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Pooling.Window w = window(x.shape());
        Tensor y = Tensor.zeros(outputShape(x.shape()));
        inputShape = x.shape();
        int[] positions = argmax == null || argmax.length != y.size() ? new int[y.size()] : argmax;
        argmax = positions;
        forPlanes(x.shape(), w, (from, to) -> Pooling.max(w, x.data(), y.data(), positions, from, to));
        return y;
    }

    @Override
    public void infer(Tensor x, Tensor out) {
        Pooling.Window w = window(x.shape());
        forPlanes(x.shape(), w, (from, to) -> Pooling.max(w, x.data(), out.data(), null, from, to));
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Pooling.Window w = window(inputShape);
        Tensor gradIn = Tensor.zeros(inputShape);
        forPlanes(inputShape, w, (from, to) -> Pooling.maxBackward(w, argmax, gradOut.data(), gradIn.data(), from, to));
        return gradIn;
    }
}
