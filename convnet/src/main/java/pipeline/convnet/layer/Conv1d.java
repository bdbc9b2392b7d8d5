package pipeline.convnet.layer;

import java.util.List;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * 1-d convolution over {@code [N, C, L]}: a {@link Conv2d} with a {@code 1×K} kernel over
 * {@code [N, C, 1, L]}. Weight {@code [OC, C/G, 1, K]}.
 */
public final class Conv1d implements Layer {

    private final Conv2d conv;

    public Conv1d(int inChannels, int outChannels, int kernel, int stride, int pad, int dilation, int groups,
                  boolean withBias) {
        this.conv = new Conv2d(inChannels, outChannels, 1, kernel, 1, stride, 0, pad, 1, dilation, groups, withBias);
    }

    public Conv2d asConv2d() {
        return conv;
    }

    @Override
    public String describe() {
        return conv.describe().replace("conv2d", "conv1d");
    }

    @Override
    public int[] outputShape(int[] in) {
        requireRank3(in);
        int[] out = conv.outputShape(new int[] {in[0], in[1], 1, in[2]});
        return new int[] {out[0], out[1], out[3]};
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        requireRank3(x.shape());
        Tensor out = conv.forward(x.reshape(x.dim(0), x.dim(1), 1, x.dim(2)), mode);
        return out.reshape(out.dim(0), out.dim(1), out.dim(3));
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Tensor gradIn = conv.backward(gradOut.reshape(gradOut.dim(0), gradOut.dim(1), 1, gradOut.dim(2)));
        return gradIn.reshape(gradIn.dim(0), gradIn.dim(1), gradIn.dim(3));
    }

    @Override
    public List<Parameter> parameters() {
        return conv.parameters();
    }

    private void requireRank3(int[] in) {
        if (in.length != 3) {
            throw new IllegalArgumentException(describe() + " expects input of shape [N, C, L] but got " + Shapes.toString(in));
        }
    }
}
