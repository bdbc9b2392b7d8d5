package pipeline.convnet.layer;

import java.util.Arrays;
import java.util.List;
import pipeline.convnet.kernel.Gemm;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * Fully connected layer: {@code y[N, OUT] = x[N, IN] × W^T + b}, weight {@code [OUT, IN]} as in
 * PyTorch. Backward: {@code dW += dy^T × x}, {@code db += Σ_n dy}, {@code dx = dy × W}.
 */
public final class Linear implements Layer {

    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;
    private Tensor input;

    public Linear(int inFeatures, int outFeatures, boolean withBias) {
        if (inFeatures < 1 || outFeatures < 1) {
            throw new IllegalArgumentException("linear: features must be positive; got " + inFeatures + "→" + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = Parameter.of("weight", Tensor.zeros(outFeatures, inFeatures), true);
        this.bias = withBias ? Parameter.of("bias", Tensor.zeros(outFeatures), false) : null;
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    @Override
    public String describe() {
        return "linear(" + inFeatures + "→" + outFeatures + (bias == null ? ", no bias" : "") + ")";
    }

    @Override
    public int[] outputShape(int[] in) {
        Shapes.require(describe(), in, -1, inFeatures);
        return new int[] {in[0], outFeatures};
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        input = x;
        Tensor y = Tensor.zeros(outputShape(x.shape()));
        infer(x, y);
        return y;
    }

    @Override
    public void infer(Tensor x, Tensor out) {
        Shapes.require(describe(), x, -1, inFeatures);
        int n = x.dim(0);
        for (int i = 0; i < n; i++) {
            if (bias != null) {
                System.arraycopy(bias.value().data(), 0, out.data(), i * outFeatures, outFeatures);
            } else {
                Arrays.fill(out.data(), i * outFeatures, (i + 1) * outFeatures, 0f);
            }
        }
        Gemm.gemm(false, true, n, outFeatures, inFeatures, 1f, x.data(), 0, inFeatures,
                weight.value().data(), 0, inFeatures, 1f, out.data(), 0, outFeatures);
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        int n = input.dim(0);
        Shapes.require(describe() + " backward", gradOut, n, outFeatures);
        Gemm.gemm(true, false, outFeatures, inFeatures, n, 1f, gradOut.data(), 0, outFeatures,
                input.data(), 0, inFeatures, 1f, weight.grad().data(), 0, inFeatures);
        if (bias != null) {
            float[] bGrad = bias.grad().data();
            for (int i = 0; i < n; i++) {
                for (int o = 0; o < outFeatures; o++) {
                    bGrad[o] += gradOut.data()[i * outFeatures + o];
                }
            }
        }
        Tensor gradIn = Tensor.zeros(n, inFeatures);
        Gemm.gemm(false, false, n, inFeatures, outFeatures, 1f, gradOut.data(), 0, outFeatures,
                weight.value().data(), 0, inFeatures, 0f, gradIn.data(), 0, inFeatures);
        return gradIn;
    }

    @Override
    public List<Parameter> parameters() {
        return Parameter.present(weight, bias);
    }
}
