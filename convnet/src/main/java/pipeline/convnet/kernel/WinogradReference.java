package pipeline.convnet.kernel;

import java.util.Arrays;

/**
 * The scalar F(2×2, 3×3) algorithm {@link Winograd} must equal bit for bit: one tile and one output
 * channel at a time, {@code V = Bᵀ d B} of each input channel's 4×4 tile, {@code M = Σ_c U ⊙ V} summed
 * in channel order with fused multiply-adds from zero, {@code Y = Aᵀ M A}, plus the bias, clamped.
 */
public final class WinogradReference {

    private WinogradReference() {
    }

    /** {@code out[N, OC, OH, OW]} from {@code x[N, C, H, W]} and {@code weight[OC, C, 3, 3]}. */
    public static void convolve(Winograd.Geometry g, float[] weight, float[] x, float[] bias, float cap, float[] out) {
        int channels = g.channels();
        float[][] u = new float[g.outChannels() * channels][Winograd.POSITIONS];
        for (int k = 0; k < u.length; k++) {
            Winograd.filter(weight, k * 9, u[k]);
        }
        float[] d = new float[16];
        float[] v = new float[16];
        float[] m = new float[16];
        for (int image = 0; image < g.n(); image++) {
            for (int oc = 0; oc < g.outChannels(); oc++) {
                for (int ty = 0; ty < g.tilesH(); ty++) {
                    for (int tx = 0; tx < g.tilesW(); tx++) {
                        Arrays.fill(m, 0f);
                        for (int c = 0; c < channels; c++) {
                            tile(g, x, image, c, 2 * ty - g.padH(), 2 * tx - g.padW(), d);
                            inputTransform(d, v);
                            for (int xi = 0; xi < 16; xi++) {
                                m[xi] = Math.fma(u[oc * channels + c][xi], v[xi], m[xi]);
                            }
                        }
                        write(g, m, image, oc, 2 * ty, 2 * tx, bias == null ? 0f : bias[oc], cap, out);
                    }
                }
            }
        }
    }

    /** The 4×4 input tile from row {@code y0}, column {@code x0}: zero outside the image. */
    private static void tile(Winograd.Geometry g, float[] x, int image, int c, int y0, int x0, float[] d) {
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                int y = y0 + i;
                int col = x0 + j;
                boolean inside = y >= 0 && y < g.h() && col >= 0 && col < g.w();
                d[4 * i + j] = inside ? x[((image * g.channels() + c) * g.h() + y) * g.w() + col] : 0f;
            }
        }
    }

    /** {@code v = Bᵀ d B}: the columns' transform first, then the rows'. */
    private static void inputTransform(float[] d, float[] v) {
        float[] t = new float[16];
        for (int j = 0; j < 4; j++) {
            t[j] = d[j] - d[8 + j];
            t[4 + j] = d[4 + j] + d[8 + j];
            t[8 + j] = d[8 + j] - d[4 + j];
            t[12 + j] = d[4 + j] - d[12 + j];
        }
        for (int i = 0; i < 4; i++) {
            v[4 * i] = t[4 * i] - t[4 * i + 2];
            v[4 * i + 1] = t[4 * i + 1] + t[4 * i + 2];
            v[4 * i + 2] = t[4 * i + 2] - t[4 * i + 1];
            v[4 * i + 3] = t[4 * i + 1] - t[4 * i + 3];
        }
    }

    /** {@code Y = Aᵀ M A} plus the bias, clamped, into the outputs of the block at {@code (oy, ox)} that exist. */
    private static void write(Winograd.Geometry g, float[] m, int image, int oc, int oy, int ox, float b, float cap,
                              float[] out) {
        float[] r = new float[8];
        for (int i = 0; i < 4; i++) {
            r[2 * i] = m[4 * i] + m[4 * i + 1] + m[4 * i + 2];
            r[2 * i + 1] = m[4 * i + 1] - m[4 * i + 2] - m[4 * i + 3];
        }
        for (int j = 0; j < 2; j++) {
            float top = r[j] + r[2 + j] + r[4 + j];
            float bottom = r[2 + j] - r[4 + j] - r[6 + j];
            put(g, out, image, oc, oy, ox + j, Winograd.finish(top + b, cap));
            put(g, out, image, oc, oy + 1, ox + j, Winograd.finish(bottom + b, cap));
        }
    }

    private static void put(Winograd.Geometry g, float[] out, int image, int oc, int y, int x, float value) {
        if (y < g.outH() && x < g.outW()) {
            out[((image * g.outChannels() + oc) * g.outH() + y) * g.outW() + x] = value;
        }
    }
}
