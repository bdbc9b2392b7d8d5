package pipeline.convnet.kernel;

import static pipeline.convnet.kernel.BlockedConvolution.BLOCK;

/**
 * The scalar definition {@link BlockedConvolution} must equal bit for bit, one output at a time, and
 * the layout conversions between NCHW and the channel-blocked layout.
 */
public final class BlockedConvolutionReference {

    private BlockedConvolutionReference() {
    }

    /** Every output: bias, then products in order (input block, kh, kw, input channel), zero in the padding, then residual, then clamp. */
    public static void forward(BlockedConvolution.Geometry g, float[] x, float[] weight, float[] bias, float[] residual,
                               float cap, float[] out) {
        for (int image = 0; image < g.n(); image++) {
            for (int ob = 0; ob < g.outBlocks(); ob++) {
                for (int oy = 0; oy < g.outH(); oy++) {
                    for (int ox = 0; ox < g.outW(); ox++) {
                        for (int o = 0; o < BLOCK; o++) {
                            float s = bias[ob * BLOCK + o];
                            for (int ib = 0; ib < g.inBlocks(); ib++) {
                                for (int kh = 0; kh < g.kernelH(); kh++) {
                                    int y = oy * g.strideH() - g.padH() + kh * g.dilationH();
                                    for (int kw = 0; kw < g.kernelW(); kw++) {
                                        int xc = ox * g.strideW() - g.padW() + kw * g.dilationW();
                                        boolean inside = y >= 0 && y < g.h() && xc >= 0 && xc < g.w();
                                        for (int c = 0; c < BLOCK; c++) {
                                            float v = inside ? x[(((image * g.inBlocks() + ib) * g.h() + y) * g.w() + xc) * BLOCK + c] : 0f;
                                            float w = weight[((((ob * g.inBlocks() + ib) * g.kernelH() + kh) * g.kernelW() + kw) * BLOCK + c)
                                                    * BLOCK + o];
                                            s = Math.fma(v, w, s);
                                        }
                                    }
                                }
                            }
                            int at = (((image * g.outBlocks() + ob) * g.outH() + oy) * g.outW() + ox) * BLOCK + o;
                            if (residual != null) {
                                s += residual[at];
                            }
                            if (cap != 0f) {
                                s = s <= 0f ? 0f : s >= cap ? cap : s;
                            }
                            out[at] = s;
                        }
                    }
                }
            }
        }
    }

    /** {@code x[N, C, H, W]} into {@code [N, ⌈C/B⌉, H, W, B]}, zeros past C. */
    public static float[] toBlocked(float[] x, int n, int channels, int h, int w) {
        int blocks = Math.ceilDiv(channels, BLOCK);
        float[] out = new float[n * blocks * h * w * BLOCK];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < h * w; p++) {
                    out[((i * blocks + c / BLOCK) * h * w + p) * BLOCK + c % BLOCK] = x[(i * channels + c) * h * w + p];
                }
            }
        }
        return out;
    }

    /** The weight {@code [OC, C, KH, KW]} into {@code [⌈OC/B⌉, ⌈C/B⌉, KH, KW, B (in), B (out)]}, zeros past C and OC. */
    public static float[] blockedWeight(float[] weight, int outChannels, int channels, int kh, int kw) {
        int ob = Math.ceilDiv(outChannels, BLOCK);
        int ib = Math.ceilDiv(channels, BLOCK);
        float[] out = new float[ob * ib * kh * kw * BLOCK * BLOCK];
        for (int o = 0; o < outChannels; o++) {
            for (int c = 0; c < channels; c++) {
                for (int t = 0; t < kh * kw; t++) {
                    out[(((o / BLOCK * ib + c / BLOCK) * kh * kw + t) * BLOCK + c % BLOCK) * BLOCK + o % BLOCK] =
                            weight[(o * channels + c) * kh * kw + t];
                }
            }
        }
        return out;
    }
}
