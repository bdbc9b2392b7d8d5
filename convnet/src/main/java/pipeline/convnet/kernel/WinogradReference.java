package pipeline.convnet.kernel;

import static pipeline.convnet.kernel.Winograd.OUT;
import static pipeline.convnet.kernel.Winograd.POSITIONS;
import static pipeline.convnet.kernel.Winograd.TILE;

import java.util.Arrays;

/**
 * The scalar F(4×4, 3×3) algorithm {@link Winograd} must equal bit for bit: one tile and one output
 * channel at a time, {@code V = Bᵀ d B} of each input channel's 6×6 tile (down the columns, then along
 * the rows, by {@link Winograd#inputPoints}), {@code M = Σ_c U ⊙ V} summed in channel order with fused
 * multiply-adds from zero, {@code Y = Aᵀ M A} (down, then along, by {@link Winograd#outputPoints}), plus
 * the bias, clamped.
 */
public final class WinogradReference {

    private WinogradReference() {
    }

    /** {@code out[N, OC, OH, OW]} from {@code x[N, C, H, W]} and {@code weight[OC, C, 3, 3]}. */
    public static void convolve(Winograd.Geometry g, float[] weight, float[] x, float[] bias, float cap, float[] out) {
        int channels = g.channels();
        float[][] u = new float[g.outChannels() * channels][POSITIONS];
        for (int k = 0; k < u.length; k++) {
            Winograd.filter(weight, k * 9, u[k]);
        }
        float[] d = new float[POSITIONS];
        float[] v = new float[POSITIONS];
        float[] m = new float[POSITIONS];
        for (int image = 0; image < g.n(); image++) {
            for (int oc = 0; oc < g.outChannels(); oc++) {
                for (int ty = 0; ty < g.tilesH(); ty++) {
                    for (int tx = 0; tx < g.tilesW(); tx++) {
                        Arrays.fill(m, 0f);
                        for (int c = 0; c < channels; c++) {
                            tile(g, x, image, c, OUT * ty - g.padH(), OUT * tx - g.padW(), d);
                            inputTransform(d, v);
                            for (int xi = 0; xi < POSITIONS; xi++) {
                                m[xi] = Math.fma(u[oc * channels + c][xi], v[xi], m[xi]);
                            }
                        }
                        write(g, m, image, oc, OUT * ty, OUT * tx, bias == null ? 0f : bias[oc], cap, out);
                    }
                }
            }
        }
    }

    /** The 6×6 input tile from row {@code y0}, column {@code x0}: zero outside the image. */
    private static void tile(Winograd.Geometry g, float[] x, int image, int c, int y0, int x0, float[] d) {
        for (int i = 0; i < TILE; i++) {
            for (int j = 0; j < TILE; j++) {
                int y = y0 + i;
                int col = x0 + j;
                boolean inside = y >= 0 && y < g.h() && col >= 0 && col < g.w();
                d[TILE * i + j] = inside ? x[((image * g.channels() + c) * g.h() + y) * g.w() + col] : 0f;
            }
        }
    }

    /** {@code v = Bᵀ d B}: down each column, then along each row. */
    private static void inputTransform(float[] d, float[] v) {
        float[] t = new float[POSITIONS];
        down(d, TILE, Winograd::inputPoints, t);
        along(t, TILE, Winograd::inputPoints, TILE, v);
    }

    /** {@code Y = Aᵀ M A} plus the bias, clamped, into the outputs of the block at {@code (oy, ox)} that exist. */
    private static void write(Winograd.Geometry g, float[] m, int image, int oc, int oy, int ox, float b, float cap,
                              float[] out) {
        float[] r = new float[OUT * TILE];
        float[] y = new float[OUT * OUT];
        down(m, OUT, Winograd::outputPoints, r);
        along(r, OUT, Winograd::outputPoints, OUT, y);
        for (int i = 0; i < OUT; i++) {
            for (int j = 0; j < OUT; j++) {
                if (oy + i < g.outH() && ox + j < g.outW()) {
                    out[((image * g.outChannels() + oc) * g.outH() + oy + i) * g.outW() + ox + j] =
                            finish(y[OUT * i + j] + b, cap);
                }
            }
        }
    }

    /** {@code s} clamped to {@code [0, cap]} when {@code cap ≠ 0}, as {@link Elementwise#clamp} does. */
    private static float finish(float s, float cap) {
        if (cap == 0f) {
            return s;
        }
        return s <= 0f ? 0f : s >= cap ? cap : s;
    }

    /** A 1-d transform of six values into {@code out}: {@link Winograd#inputPoints} or {@link Winograd#outputPoints}. */
    @FunctionalInterface
    private interface Points {
        void apply(float[] in, float[] out);
    }

    /** {@code out[TILE·i + j] = f(column j of tile)[i]} for the {@code rows} points f gives. */
    private static void down(float[] tile, int rows, Points f, float[] out) {
        float[] in = new float[TILE];
        float[] points = new float[TILE];
        for (int j = 0; j < TILE; j++) {
            for (int k = 0; k < TILE; k++) {
                in[k] = tile[TILE * k + j];
            }
            f.apply(in, points);
            for (int i = 0; i < rows; i++) {
                out[TILE * i + j] = points[i];
            }
        }
    }

    /** {@code out[columns·i + j] = f(row i of rows, TILE wide)[j]} for each of {@code count} rows. */
    private static void along(float[] rows, int count, Points f, int columns, float[] out) {
        float[] in = new float[TILE];
        float[] points = new float[TILE];
        for (int i = 0; i < count; i++) {
            System.arraycopy(rows, TILE * i, in, 0, TILE);
            f.apply(in, points);
            System.arraycopy(points, 0, out, columns * i, columns);
        }
    }
}
