package pipeline.convnet.layer;

import java.util.Arrays;
import java.util.List;
import pipeline.convnet.kernel.Gemm;
import pipeline.convnet.kernel.RowTimesMatrix;
import pipeline.convnet.kernel.Workspace;
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
    /**
     * The weight transposed, {@code Wᵀ [IN, width]} with {@code width} = OUT rounded up to {@link RowTimesMatrix#WIDTH}
     * (zeros past OUT), on a copy made for serving ({@link #forServing}), else null: small batches then
     * multiply without packing the weight on every call.
     */
    private final float[] transposed;
    private final int width;
    private final String description;
    private Tensor input;
    /** Batches smaller than this use {@link RowTimesMatrix}, image by image. */
    private static final int SMALL_BATCH = 8;

    public Linear(int inFeatures, int outFeatures, boolean withBias) {
        this(inFeatures, outFeatures, withBias, false);
    }

    private Linear(int inFeatures, int outFeatures, boolean withBias, boolean serving) {
        if (inFeatures < 1 || outFeatures < 1) {
            throw new IllegalArgumentException("linear: features must be positive; got " + inFeatures + "→" + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = Parameter.of("weight", Tensor.zeros(outFeatures, inFeatures), true);
        this.bias = withBias ? Parameter.of("bias", Tensor.zeros(outFeatures), false) : null;
        this.width = Gemm.roundUp(outFeatures, RowTimesMatrix.WIDTH);
        this.transposed = serving ? new float[inFeatures * width] : null;
        this.description = "linear(" + inFeatures + "→" + outFeatures + (withBias ? "" : ", no bias") + ")";
    }

    /**
     * A copy for inference, holding its weight transposed as well: the same outputs, bit for bit, with
     * small batches no longer packing the weight on every call. A copy, so train the original.
     */
    public Linear forServing() {
        Linear copy = new Linear(inFeatures, outFeatures, bias != null, true);
        float[] w = weight.value().data();
        System.arraycopy(w, 0, copy.weight.value().data(), 0, w.length);
        if (bias != null) {
            System.arraycopy(bias.value().data(), 0, copy.bias.value().data(), 0, outFeatures);
        }
        for (int o = 0; o < outFeatures; o++) {
            for (int i = 0; i < inFeatures; i++) {
                copy.transposed[i * width + o] = w[o * inFeatures + i];
            }
        }
        return copy;
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
        return description;
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
        if (transposed == null) {
            Gemm.gemm(false, true, n, outFeatures, inFeatures, 1f, x.data(), 0, inFeatures,
                    weight.value().data(), 0, inFeatures, 1f, out.data(), 0, outFeatures);
        } else if (n < SMALL_BATCH) {
            // each image's outputs in a row padded to the width, then the first OUT of them copied out
            float[] row = Workspace.floats(Workspace.Slot.PRODUCT, width);
            for (int i = 0; i < n; i++) {
                System.arraycopy(out.data(), i * outFeatures, row, 0, outFeatures);
                Arrays.fill(row, outFeatures, width, 0f);
                RowTimesMatrix.multiplyAdd(inFeatures, width, x.data(), i * inFeatures, transposed, 0, row, 0);
                System.arraycopy(row, 0, out.data(), i * outFeatures, outFeatures);
            }
        } else {
            Gemm.gemm(false, false, n, outFeatures, inFeatures, 1f, x.data(), 0, inFeatures,
                    transposed, 0, width, 1f, out.data(), 0, outFeatures);
        }
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
    public long derivedFloats() {
        return transposed == null ? 0 : transposed.length;
    }

    @Override
    public List<Parameter> parameters() {
        return Parameter.present(weight, bias);
    }
}
