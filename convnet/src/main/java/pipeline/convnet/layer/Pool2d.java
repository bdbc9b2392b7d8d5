package pipeline.convnet.layer;

import pipeline.convnet.tensor.Shapes;

/**
 * What the 2-d pooling layers share: a square window (kernel, stride, padding) over
 * {@code [N, C, H, W]}, and the walk over every (output, input inside the image) pair.
 * Windows never start in the padding past the input (as PyTorch requires {@code pad ≤ kernel/2}).
 */
abstract sealed class Pool2d implements Layer permits MaxPool2d, AvgPool2d {

    /** One (output element, input element) pair of a window; pairs of one output come consecutively. */
    @FunctionalInterface
    interface Pair {
        void accept(int outIndex, int inIndex);
    }

    protected final String kind;
    protected final int kernel;
    protected final int stride;
    protected final int pad;
    protected int[] inputShape;

    Pool2d(String kind, int kernel, int stride, int pad) {
        if (kernel < 1 || stride < 1 || pad < 0 || pad > kernel / 2) {
            throw new IllegalArgumentException(kind + ": kernel and stride must be 1 or more and padding from 0 to"
                    + " kernel/2; got kernel " + kernel + ", stride " + stride + ", padding " + pad);
        }
        this.kind = kind;
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
    }

    @Override
    public String describe() {
        return kind + "(kernel " + kernel + ", stride " + stride + (pad > 0 ? ", padding " + pad : "") + ")";
    }

    @Override
    public int[] outputShape(int[] in) {
        Shapes.require(describe(), in, -1, -1, -1, -1);
        return new int[] {in[0], in[1], Shapes.convOutput(describe(), in[2], kernel, stride, pad, 1),
                Shapes.convOutput(describe(), in[3], kernel, stride, pad, 1)};
    }

    /** Calls {@code pair} for every input element inside every window of an output of shape {@code o}. */
    protected void visit(int[] o, Pair pair) {
        int h = inputShape[2];
        int w = inputShape[3];
        int at = 0;
        for (int plane = 0; plane < o[0] * o[1]; plane++) {
            int base = plane * h * w;
            for (int oh = 0; oh < o[2]; oh++) {
                for (int ow = 0; ow < o[3]; ow++, at++) {
                    for (int kh = 0; kh < kernel; kh++) {
                        int ih = oh * stride - pad + kh;
                        if (ih < 0 || ih >= h) {
                            continue;
                        }
                        for (int kw = 0; kw < kernel; kw++) {
                            int iw = ow * stride - pad + kw;
                            if (iw >= 0 && iw < w) {
                                pair.accept(at, base + ih * w + iw);
                            }
                        }
                    }
                }
            }
        }
    }
}
