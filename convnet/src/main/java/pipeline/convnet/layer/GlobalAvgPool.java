package pipeline.convnet.layer;

import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/** {@code [N, C, H, W]} → {@code [N, C]}: the mean of each channel's plane. */
public final class GlobalAvgPool implements Layer {

    private int[] inputShape;

    @Override
    public String describe() {
        return "global-avgpool";
    }

    @Override
    public int[] outputShape(int[] in) {
        Shapes.require(describe(), in, -1, -1, -1, -1);
        return new int[] {in[0], in[1]};
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        int[] o = outputShape(x.shape());
        inputShape = x.shape();
        int plane = x.dim(2) * x.dim(3);
        Tensor y = Tensor.zeros(o);
        for (int p = 0; p < o[0] * o[1]; p++) {
            float sum = 0f;
            for (int i = 0; i < plane; i++) {
                sum += x.data()[p * plane + i];
            }
            y.data()[p] = sum / plane;
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        int plane = inputShape[2] * inputShape[3];
        Tensor gradIn = Tensor.zeros(inputShape);
        for (int p = 0; p < gradOut.size(); p++) {
            float share = gradOut.data()[p] / plane;
            for (int i = 0; i < plane; i++) {
                gradIn.data()[p * plane + i] = share;
            }
        }
        return gradIn;
    }
}
