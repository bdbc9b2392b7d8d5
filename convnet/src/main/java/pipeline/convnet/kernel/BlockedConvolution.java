package pipeline.convnet.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Direct convolution in the channel-blocked layout (NCHWc, as ONNX Runtime's MLAS and oneDNN lay
 * out activations): channels in blocks of {@link #BLOCK}, one vector, innermost.
 *
 * <pre>
 * x      [N, C/B, H, W, B]                   (channels past C are zero)
 * weight [OC/B, C/B, KH, KW, B (in), B (out)]
 * out    [N, OC/B, OH, OW, B]                 = clamp(bias + Σ x·w (+ residual), 0, cap)
 * </pre>
 * An output row of one block of output channels is computed {@link #PIXELS} pixels at a time, a
 * vector accumulator per pixel: each step loads one weight vector (B output channels of one input
 * channel and tap) and broadcasts one input value per pixel, reading the image with its padding
 * written out once per layer ({@link #pad}), so every pixel takes the same eight-wide path (a pixel
 * at a time was tried for the edges: one chain of FMAs, latency-bound, it halved the layer's rate).
 * There is no column matrix and no scatter. Bias, the residual sum and ReLU or ReLU6 are applied
 * to the row in cache once its accumulators are stored. Every output is {@code bias} plus its products in the order
 * (input block, kh, kw, input channel), one FMA each (zeros for the padding), then the residual, then
 * the clamp: the sums {@link BlockedConvolutionReference} makes, bit for bit.
 *
 * <p>Not yet on the serving path: a layer at a time, converting to and from NCHW costs about what it
 * saves; it is the first part of a serving path that stays in this layout across layers
 * (see {@code docs/benchmarks.md}, "The measured route to ONNX Runtime's speed").
 */
public final class BlockedConvolution {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Channels per block: one vector. */
    public static final int BLOCK = SPECIES.length();
    /** Output pixels per step: eight accumulators, eight FMAs per weight vector loaded. */
    public static final int PIXELS = 8;

    private BlockedConvolution() {
    }

    /**
     * Sizes of one convolution: {@code n} images of {@code inBlocks} input blocks, {@code h × w}, to
     * {@code outBlocks} output blocks of {@code outH × outW}; kernel, stride, padding and dilation per axis.
     */
    public record Geometry(int n, int inBlocks, int h, int w, int outBlocks, int kernelH, int kernelW, int strideH,
                           int strideW, int padH, int padW, int dilationH, int dilationW, int outH, int outW) {

        /** Output rows of the whole batch, {@code N·OC/B·OH}: the unit of work {@link #forward} is given ranges of. */
        public int rows() {
            return n * outBlocks * outH;
        }

        /** Floats of the weight in its blocked layout. */
        public int weightSize() {
            return outBlocks * inBlocks * kernelH * kernelW * BLOCK * BLOCK;
        }

    }

    /**
     * Output rows {@code [rowFrom, rowTo)} of {@link Geometry#rows()}, from {@code padded}, the input with
     * its zero padding written out ({@link #pad}). {@code bias} holds {@code OC/B·B} values (zero past OC);
     * {@code residual}, in {@code out}'s layout, is added when not null; {@code cap} is the fused
     * activation: 0 for none, +∞ for ReLU, 6 for ReLU6. A row's last {@link #PIXELS} may run past its
     * end: they are computed into {@code tail} ({@code PIXELS·B} floats) and only the row's own copied out.
     */
    public static void forward(Geometry g, float[] padded, float[] weight, float[] bias, float[] residual, float cap,
                               float[] out, int rowFrom, int rowTo, float[] tail) {
        int hp = g.h() + 2 * g.padH();
        int wp = g.w() + 2 * g.padW();
        for (int row = rowFrom; row < rowTo; row++) {
            int oy = row % g.outH();
            int ob = row / g.outH() % g.outBlocks();
            int image = row / (g.outH() * g.outBlocks());
            int outAt = row * g.outW() * BLOCK;
            for (int ox = 0; ox < g.outW(); ox += PIXELS) {
                int at = ((image * g.inBlocks() * hp + oy * g.strideH()) * wp + ox * g.strideW()) * BLOCK;
                if (ox + PIXELS <= g.outW()) {
                    eightPixels(g, padded, at, hp * wp, wp, weight, bias, ob, out, outAt + ox * BLOCK);
                } else {
                    eightPixels(g, padded, at, hp * wp, wp, weight, bias, ob, tail, 0);
                    System.arraycopy(tail, 0, out, outAt + ox * BLOCK, (g.outW() - ox) * BLOCK);
                }
            }
            finish(residual, cap, out, outAt, outAt + g.outW() * BLOCK);
        }
    }

    /** Floats of {@link #pad}'s output, with room for the reads of a row's last pixels past its end. */
    public static int paddedSize(Geometry g) {
        return g.n() * g.inBlocks() * (g.h() + 2 * g.padH()) * (g.w() + 2 * g.padW()) * BLOCK
                + PIXELS * g.strideW() * BLOCK + (g.kernelW() - 1) * g.dilationW() * BLOCK;
    }

    /** {@code x [N, C/B, H, W, B]} into {@code padded [N, C/B, H + 2·PH, W + 2·PW, B]}, zeros around it and after it. */
    public static void pad(Geometry g, float[] x, float[] padded) {
        int wp = g.w() + 2 * g.padW();
        int hp = g.h() + 2 * g.padH();
        int planes = g.n() * g.inBlocks();
        Arrays.fill(padded, 0, paddedSize(g), 0f);
        for (int plane = 0; plane < planes; plane++) {
            for (int y = 0; y < g.h(); y++) {
                System.arraycopy(x, (plane * g.h() + y) * g.w() * BLOCK, padded,
                        ((plane * hp + y + g.padH()) * wp + g.padW()) * BLOCK, g.w() * BLOCK);
            }
        }
    }

    /** {@link #PIXELS} consecutive outputs of one row; the first one's window starts at {@code padded[at]}. */
    private static void eightPixels(Geometry g, float[] padded, int at, int planeSize, int wp, float[] weight, float[] bias,
                                    int ob, float[] out, int outAt) {
        FloatVector b = FloatVector.fromArray(SPECIES, bias, ob * BLOCK);
        FloatVector s0 = b;
        FloatVector s1 = b;
        FloatVector s2 = b;
        FloatVector s3 = b;
        FloatVector s4 = b;
        FloatVector s5 = b;
        FloatVector s6 = b;
        FloatVector s7 = b;
        int step = g.strideW() * BLOCK;
        int wAt = ob * g.inBlocks() * g.kernelH() * g.kernelW() * BLOCK * BLOCK;
        for (int ib = 0; ib < g.inBlocks(); ib++) {
            for (int kh = 0; kh < g.kernelH(); kh++) {
                for (int kw = 0; kw < g.kernelW(); kw++) {
                    int p = at + (ib * planeSize + kh * g.dilationH() * wp + kw * g.dilationW()) * BLOCK;
                    for (int c = 0; c < BLOCK; c++, p++, wAt += BLOCK) {
                        FloatVector wv = FloatVector.fromArray(SPECIES, weight, wAt);
                        s0 = FloatVector.broadcast(SPECIES, padded[p]).fma(wv, s0);
                        s1 = FloatVector.broadcast(SPECIES, padded[p + step]).fma(wv, s1);
                        s2 = FloatVector.broadcast(SPECIES, padded[p + 2 * step]).fma(wv, s2);
                        s3 = FloatVector.broadcast(SPECIES, padded[p + 3 * step]).fma(wv, s3);
                        s4 = FloatVector.broadcast(SPECIES, padded[p + 4 * step]).fma(wv, s4);
                        s5 = FloatVector.broadcast(SPECIES, padded[p + 5 * step]).fma(wv, s5);
                        s6 = FloatVector.broadcast(SPECIES, padded[p + 6 * step]).fma(wv, s6);
                        s7 = FloatVector.broadcast(SPECIES, padded[p + 7 * step]).fma(wv, s7);
                    }
                }
            }
        }
        s0.intoArray(out, outAt);
        s1.intoArray(out, outAt + BLOCK);
        s2.intoArray(out, outAt + 2 * BLOCK);
        s3.intoArray(out, outAt + 3 * BLOCK);
        s4.intoArray(out, outAt + 4 * BLOCK);
        s5.intoArray(out, outAt + 5 * BLOCK);
        s6.intoArray(out, outAt + 6 * BLOCK);
        s7.intoArray(out, outAt + 7 * BLOCK);
    }

    /** The residual sum, then the clamp, over {@code out[from, to)}. */
    private static void finish(float[] residual, float cap, float[] out, int from, int to) {
        if (residual != null) {
            Elementwise.add(out, residual, out, from, to, false);
        }
        if (cap != 0f) {
            Elementwise.clamp(out, out, from, to, cap);
        }
    }
}
