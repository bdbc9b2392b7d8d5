package pipeline.convnet.layer;

import pipeline.convnet.kernel.Pooling;
import pipeline.convnet.tensor.Tensor;

/**
 * Average pooling over {@code [N, C, H, W]}. Each window divides by the taps it counts: with
 * {@code countPadding} (PyTorch's default {@code count_include_pad=True}) those inside the padded
 * input, so {@code K²} but where a ceil-mode window runs past the padding; without, those inside the input.
 */
public final class AvgPool2d extends Pool2d {

    private final boolean countPadding;

    /** A square window: kernel, stride and padding the same on both axes, sizes rounded down, padding counted. */
    public AvgPool2d(int kernel, int stride, int pad) {
        this(Pooling.Slide.of(kernel, stride, pad), Pooling.Slide.of(kernel, stride, pad), false, true);
    }

    public AvgPool2d(Pooling.Slide rows, Pooling.Slide cols, boolean ceil, boolean countPadding) {
        super("avgpool2d", rows, cols, ceil, countPadding ? "" : ", padding not counted");
        this.countPadding = countPadding;
    }

    /** Whether the padding's zeros count in each window's average. */
    public boolean countPadding() {
        return countPadding;
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
        forPlanes(x.shape(), w, (from, to) -> Pooling.average(w, countPadding, x.data(), out.data(), from, to));
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Pooling.Window w = window(inputShape);
        Tensor gradIn = Tensor.zeros(inputShape);
        forPlanes(inputShape, w, (from, to) -> Pooling.averageBackward(w, countPadding, gradOut.data(), gradIn.data(), from, to));
        return gradIn;
    }
}
