package pipeline.convnet.layer;

import pipeline.convnet.kernel.Parallelism;
import pipeline.convnet.kernel.Pooling;
import pipeline.convnet.tensor.Shapes;

/**
 * What the 2-d pooling layers share: a square window (kernel, stride, padding) over
 * {@code [N, C, H, W]}, its geometry, and plane-parallel loops over {@link Pooling}'s kernels.
 * Windows never start in the padding past the input (as PyTorch requires {@code pad ≤ kernel/2}).
 */
abstract sealed class Pool2d implements Layer permits MaxPool2d, AvgPool2d {

    protected final String kind;
    protected final int kernel;
    protected final int stride;
    protected final int pad;
    protected int[] inputShape;
    private final String description;

    Pool2d(String kind, int kernel, int stride, int pad) {
        if (kernel < 1 || stride < 1 || pad < 0 || pad > kernel / 2) {
            throw new IllegalArgumentException(kind + ": kernel and stride must be 1 or more and padding from 0 to"
                    + " kernel/2; got kernel " + kernel + ", stride " + stride + ", padding " + pad);
        }
        this.kind = kind;
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
        this.description = kind + "(kernel " + kernel + ", stride " + stride + (pad > 0 ? ", padding " + pad : "") + ")";
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public int[] outputShape(int[] in) {
        Shapes.require(describe(), in, -1, -1, -1, -1);
        return new int[] {in[0], in[1], Shapes.convOutput(describe(), in[2], kernel, stride, pad, 1),
                Shapes.convOutput(describe(), in[3], kernel, stride, pad, 1)};
    }

    /** The window over an input of shape {@code in}: {@code [N, C, H, W]}. */
    protected Pooling.Window window(int[] in) {
        int[] o = outputShape(in);
        return new Pooling.Window(in[2], in[3], kernel, stride, pad, o[2], o[3]);
    }

    /** Runs {@code body} over the {@code N·C} planes in parallel chunks. */
    protected static void forPlanes(int[] in, Pooling.Window w, Parallelism.Range body) {
        Parallelism.forRange(in[0] * in[1], Math.max(1, (1 << 14) / Math.max(1, w.inPlane())), body);
    }
}
