package pipeline.convnet.layer;

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
        int[] o = outputShape(x.shape());
        inputShape = x.shape();
        Tensor y = Tensor.zeros(o);
        float scale = 1f / (kernel * kernel);
        visit(o, (outIndex, inIndex) -> y.data()[outIndex] += x.data()[inIndex] * scale);
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Tensor gradIn = Tensor.zeros(inputShape);
        float scale = 1f / (kernel * kernel);
        visit(gradOut.shape(), (outIndex, inIndex) -> gradIn.data()[inIndex] += gradOut.data()[outIndex] * scale);
        return gradIn;
    }
}
