package pipeline.convnet.layer;

import java.util.List;
import pipeline.convnet.kernel.Gemm;
import pipeline.convnet.kernel.Im2col;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * 2-d convolution (cross-correlation, as in every framework) with stride, zero padding, dilation
 * and groups; {@code groups == inChannels == outChannels} is a depthwise convolution.
 *
 * <pre>
 * input  [N, C, H, W]
 * weight [OC, C/G, KH, KW]      bias [OC]
 * output [N, OC, OH, OW]        OH = ⌊(H + 2·PH − DH·(KH−1) − 1) / SH⌋ + 1
 * </pre>
 * Each image and group is one matrix product: {@code out_g[OC/G, OH·OW] = W_g[OC/G, C/G·KH·KW] ×
 * im2col(x_g)[C/G·KH·KW, OH·OW]}. Backward: {@code dW_g += dOut_g × cols^T} and
 * {@code dx_g = col2im(W_g^T × dOut_g)}.
 */
public final class Conv2d implements Layer {

    private final int inChannels;
    private final int outChannels;
    private final int kernelH;
    private final int kernelW;
    private final int strideH;
    private final int strideW;
    private final int padH;
    private final int padW;
    private final int dilationH;
    private final int dilationW;
    private final int groups;
    private final Parameter weight;
    private final Parameter bias;
    private Tensor input;

    public Conv2d(int inChannels, int outChannels, int kernelH, int kernelW, int strideH, int strideW,
                  int padH, int padW, int dilationH, int dilationW, int groups, boolean withBias) {
        if (inChannels < 1 || outChannels < 1 || groups < 1 || inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("conv2d: in channels " + inChannels + " and out channels " + outChannels
                    + " must both be positive multiples of groups " + groups);
        }
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("conv2d: kernel, stride and dilation must be 1 or more and padding 0 or more; got kernel "
                    + kernelH + "×" + kernelW + ", stride " + strideH + "×" + strideW + ", padding " + padH + "×" + padW
                    + ", dilation " + dilationH + "×" + dilationW);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.strideH = strideH;
        this.strideW = strideW;
        this.padH = padH;
        this.padW = padW;
        this.dilationH = dilationH;
        this.dilationW = dilationW;
        this.groups = groups;
        this.weight = Parameter.of("weight", Tensor.zeros(outChannels, inChannels / groups, kernelH, kernelW), true);
        this.bias = withBias ? Parameter.of("bias", Tensor.zeros(outChannels), false) : null;
    }

    /** A square kernel with equal stride, padding and dilation on both axes. */
    public static Conv2d square(int inChannels, int outChannels, int kernel, int stride, int pad, int dilation,
                                int groups, boolean withBias) {
        return new Conv2d(inChannels, outChannels, kernel, kernel, stride, stride, pad, pad, dilation, dilation, groups, withBias);
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or {@code null} when the layer has none. */
    public Parameter bias() {
        return bias;
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    @Override
    public String describe() {
        return "conv2d(" + inChannels + "→" + outChannels + ", kernel " + kernelH + "×" + kernelW + ", stride " + strideH
                + "×" + strideW + ", padding " + padH + "×" + padW + ", dilation " + dilationH + "×" + dilationW
                + (groups > 1 ? ", groups " + groups : "") + (bias == null ? ", no bias" : "") + ")";
    }

    @Override
    public int[] outputShape(int[] in) {
        Shapes.require(describe(), in, -1, inChannels, -1, -1);
        Im2col.Window w = window(in[2], in[3]);
        return new int[] {in[0], outChannels, w.outH(), w.outW()};
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Shapes.require(describe(), x, -1, inChannels, -1, -1);
        this.input = x;
        int n = x.dim(0);
        Im2col.Window w = window(x.dim(2), x.dim(3));
        int cg = inChannels / groups;
        int ocg = outChannels / groups;
        int inPlane = x.dim(2) * x.dim(3);
        int outPlane = w.cols();
        Tensor out = Tensor.zeros(n, outChannels, w.outH(), w.outW());
        float[] cols = new float[w.rows() * w.cols()];
        float[] wData = weight.value().data();
        for (int i = 0; i < n; i++) {
            for (int g = 0; g < groups; g++) {
                Im2col.im2col(w, x.data(), (i * inChannels + g * cg) * inPlane, cols);
                Gemm.gemm(false, false, ocg, outPlane, w.rows(), 1f,
                        wData, g * ocg * w.rows(), w.rows(), cols, 0, outPlane,
                        0f, out.data(), (i * outChannels + g * ocg) * outPlane, outPlane);
            }
            if (bias != null) {
                float[] b = bias.value().data();
                for (int oc = 0; oc < outChannels; oc++) {
                    int base = (i * outChannels + oc) * outPlane;
                    for (int p = 0; p < outPlane; p++) {
                        out.data()[base + p] += b[oc];
                    }
                }
            }
        }
        return out;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Tensor x = input;
        int n = x.dim(0);
        Im2col.Window w = window(x.dim(2), x.dim(3));
        Shapes.require(describe() + " backward", gradOut, n, outChannels, w.outH(), w.outW());
        int cg = inChannels / groups;
        int ocg = outChannels / groups;
        int inPlane = x.dim(2) * x.dim(3);
        int outPlane = w.cols();
        Tensor gradIn = Tensor.zeros(x.shape());
        float[] cols = new float[w.rows() * w.cols()];
        float[] gradCols = new float[w.rows() * w.cols()];
        float[] wData = weight.value().data();
        float[] wGrad = weight.grad().data();
        for (int i = 0; i < n; i++) {
            for (int g = 0; g < groups; g++) {
                int gOff = (i * outChannels + g * ocg) * outPlane;
                Im2col.im2col(w, x.data(), (i * inChannels + g * cg) * inPlane, cols);
                // dW_g[OC/G, C/G·K·K] += dOut_g[OC/G, OH·OW] × cols^T
                Gemm.gemm(false, true, ocg, w.rows(), outPlane, 1f, gradOut.data(), gOff, outPlane,
                        cols, 0, outPlane, 1f, wGrad, g * ocg * w.rows(), w.rows());
                // dCols[C/G·K·K, OH·OW] = W_g^T × dOut_g
                Gemm.gemm(true, false, w.rows(), outPlane, ocg, 1f, wData, g * ocg * w.rows(), w.rows(),
                        gradOut.data(), gOff, outPlane, 0f, gradCols, 0, outPlane);
                Im2col.col2im(w, gradCols, gradIn.data(), (i * inChannels + g * cg) * inPlane);
            }
            if (bias != null) {
                float[] bGrad = bias.grad().data();
                for (int oc = 0; oc < outChannels; oc++) {
                    int base = (i * outChannels + oc) * outPlane;
                    float sum = 0f;
                    for (int p = 0; p < outPlane; p++) {
                        sum += gradOut.data()[base + p];
                    }
                    bGrad[oc] += sum;
                }
            }
        }
        return gradIn;
    }

    @Override
    public List<Parameter> parameters() {
        return Parameter.present(weight, bias);
    }

    /** Fan-in of one output unit, for initialisation: {@code C/G · KH · KW}. */
    public int fanIn() {
        return inChannels / groups * kernelH * kernelW;
    }

    /** Fan-out of one input unit: {@code OC/G · KH · KW}. */
    public int fanOut() {
        return outChannels / groups * kernelH * kernelW;
    }

    private Im2col.Window window(int h, int w) {
        int oh = Shapes.convOutput(describe(), h, kernelH, strideH, padH, dilationH);
        int ow = Shapes.convOutput(describe(), w, kernelW, strideW, padW, dilationW);
        return new Im2col.Window(inChannels / groups, h, w, kernelH, kernelW, strideH, strideW, padH, padW,
                dilationH, dilationW, oh, ow);
    }
}
