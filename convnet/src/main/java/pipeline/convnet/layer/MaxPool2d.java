package pipeline.convnet.layer;

import java.util.Arrays;
import pipeline.convnet.tensor.Tensor;

/**
 * Max pooling over {@code [N, C, H, W]}; padding never wins (it counts as −∞), and a NaN in a
 * window wins (as in PyTorch), so it is not silently dropped. Backward routes each output gradient
 * to the input position that held the maximum (the first, on ties).
 */
public final class MaxPool2d extends Pool2d {

    /** For each output element, the flat index of its maximum in the input. */
    private int[] argmax;

    public MaxPool2d(int kernel, int stride, int pad) {
        super("maxpool2d", kernel, stride, pad);
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        int[] o = outputShape(x.shape());
        inputShape = x.shape();
        Tensor y = Tensor.zeros(o);
        float[] out = y.data();
        float[] in = x.data();
        argmax = new int[y.size()];
        Arrays.fill(argmax, -1);
        visit(o, (outIndex, inIndex) -> {
            if (argmax[outIndex] < 0 || in[inIndex] > out[outIndex] || (Float.isNaN(in[inIndex]) && !Float.isNaN(out[outIndex]))) {
                out[outIndex] = in[inIndex];
                argmax[outIndex] = inIndex;
            }
        });
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Tensor gradIn = Tensor.zeros(inputShape);
        float[] g = gradOut.data();
        for (int i = 0; i < g.length; i++) {
            gradIn.data()[argmax[i]] += g[i];
        }
        return gradIn;
    }
}
