package pipeline.convnet.layer;

import pipeline.convnet.kernel.Pooling;
import pipeline.convnet.tensor.Tensor;

/**
 * Average pooling over {@code [N, C, H, W]}. Zero padding counts in the average (PyTorch's default,
 * {@code count_include_pad=True}), so every window divides by {@code K²}.
 */
public final class AvgPool2d extends Pool2d {

    public AvgPool2d(int kernel, int stride, int pad) {
        super("avgpool2d", kernel, stride, pad);
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        inputShape = x.shape();
        Tensor y = Tensor.zeros(outputShape(x.shape()));
        infer(x, y);
        return y;
    }

    @Override
    public void infer(Tensor x, Tensor out) {
        Pooling.Window w = window(x.shape());
        forPlanes(x.shape(), w, (from, to) -> Pooling.average(w, x.data(), out.data(), from, to));
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Pooling.Window w = window(inputShape);
        Tensor gradIn = Tensor.zeros(inputShape);
        forPlanes(inputShape, w, (from, to) -> Pooling.averageBackward(w, gradOut.data(), gradIn.data(), from, to));
        return gradIn;
    }
}
