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
        inputShape = x.shape();
        Tensor y = Tensor.zeros(outputShape(x.shape()));
        infer(x, y);
        return y;
    }

    @Override
    public void infer(Tensor x, Tensor out) {
        int[] o = outputShape(x.shape());
        int plane = x.dim(2) * x.dim(3);
        for (int p = 0; p < o[0] * o[1]; p++) {
            float sum = 0f;
            for (int i = 0; i < plane; i++) {
                sum += x.data()[p * plane + i];
            }
            out.data()[p] = sum / plane;
        }
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
