package pipeline.convnet.layer;

import java.util.Arrays;
import pipeline.convnet.kernel.Depthwise;
import pipeline.convnet.kernel.Parallelism;
import pipeline.convnet.kernel.Workspace;
import pipeline.convnet.tensor.Tensor;

/**
 * {@link Conv2d}'s depthwise case ({@code groups = C = OC}: one {@code [KH, KW]} filter per channel)
 * on the {@link Depthwise} kernel, channel plane by channel plane, one parallel region per pass.
 *
 * <pre>
 * x [N, C, H, W]    weight [C, 1, KH, KW]    out [N, C, OH, OW]
 * </pre>
 * A training forward pass keeps every plane's phase layout (about the input's size) for the weight
 * gradient; the weight gradient of a channel is summed over the batch by one task, image by image,
 * so it does not depend on the thread count.
 */
final class DepthwiseConvolution {

    /** Bias and fused activation of channel {@code c} on its output plane {@code out[at, at + plane)}. */
    @FunctionalInterface
    interface Finish {
        void apply(float[] out, int at, int plane, int c);
    }

    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private float[] kept;
    private Tensor keptOf;

    /** Each argument {@code {vertical, horizontal}}. */
    DepthwiseConvolution(int[] kernel, int[] stride, int[] padding, int[] dilation) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
    }

    /** {@code out[N, C, OH, OW]}, every element written; with {@code keep}, the phases backward needs are kept. */
    void forward(Tensor x, Tensor out, float[] w, Finish finish, boolean keep) {
        int n = x.dim(0);
        int channels = x.dim(1);
        Depthwise.Plane p = plane(x, out.dim(2), out.dim(3));
        int inPlane = x.dim(2) * x.dim(3);
        int outPlane = out.dim(2) * out.dim(3);
        int taps = kernel[0] * kernel[1];
        float[] keptPhases = keep ? keptBuffer(n * channels * p.phases()) : null;
        Parallelism.forRange(n * channels, Conv2d.grain(inPlane * taps), (from, to) -> {
            float[] row = Workspace.floats(Workspace.Slot.PRODUCT, p.row());
            float[] scratch = keep ? null : Workspace.floats(Workspace.Slot.PADDED, p.phases());
            for (int t = from; t < to; t++) {
                int c = t % channels;
                float[] phases = keep ? keptPhases : scratch;
                int phasesAt = keep ? t * p.phases() : 0;
                Depthwise.split(p, x.data(), t * inPlane, phases, phasesAt);
                Depthwise.forward(p, phases, phasesAt, w, c * taps, out.data(), t * outPlane, row);
                finish.apply(out.data(), t * outPlane, outPlane, c);
            }
        });
        if (keep) {
            keptOf = x;
        }
    }

    /** The input gradient; the weight gradient is added to {@code wGrad}. */
    Tensor backward(Tensor x, Tensor gradOut, float[] w, float[] wGrad) {
        int n = x.dim(0);
        int channels = x.dim(1);
        int outH = gradOut.dim(2);
        int outW = gradOut.dim(3);
        if (keptOf != x) {
            forward(x, Tensor.zeros(gradOut.shape()), w, (out, at, plane, c) -> { }, true);
        }
        Depthwise.Plane p = plane(x, outH, outW);
        int inPlane = x.dim(2) * x.dim(3);
        int outPlane = outH * outW;
        int taps = kernel[0] * kernel[1];
        float[] g = gradOut.data();
        Parallelism.forRange(channels, 1, (from, to) -> {
            float[] row = new float[p.row()];
            float[] partial = new float[p.partials()];
            for (int c = from; c < to; c++) {
                Arrays.fill(partial, 0f);
                for (int i = 0; i < n; i++) {
                    int t = i * channels + c;
                    Depthwise.weightGradient(p, g, t * outPlane, kept, t * p.phases(), partial, row);
                }
                for (int tap = 0; tap < taps; tap++) {
                    wGrad[c * taps + tap] += Depthwise.laneSum(partial, tap);
                }
            }
        });
        Tensor gradIn = Tensor.zeros(x.shape());
        Parallelism.forRange(n * channels, Conv2d.grain(inPlane * taps), (from, to) -> {
            float[] row = new float[p.row()];
            float[] dPhases = Workspace.floats(Workspace.Slot.PADDED, p.phases());
            for (int t = from; t < to; t++) {
                Arrays.fill(dPhases, 0, p.phases(), 0f);
                Depthwise.inputGradient(p, g, t * outPlane, w, (t % channels) * taps, dPhases, 0, row);
                Depthwise.merge(p, dPhases, 0, gradIn.data(), t * inPlane);
            }
        });
        return gradIn;
    }

    private Depthwise.Plane plane(Tensor x, int outH, int outW) {
        return new Depthwise.Plane(x.dim(2), x.dim(3), kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1],
                dilation[0], dilation[1], outH, outW);
    }

    private float[] keptBuffer(int size) {
        if (kept == null || kept.length < size) {
            kept = new float[size];
        }
        return kept;
    }
}
