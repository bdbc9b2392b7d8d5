package pipeline.convnet.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A depthwise convolution (one filter per channel, MobileNet's 3×3 layers) one channel plane at a
 * time, vectorised along output rows. As a grouped GEMM each channel would be a product one row
 * tall, which the GEMM's 8-row blocks waste; here each output vector is {@code KH·KW} broadcast
 * multiply-adds of shifted input vectors. {@link DepthwiseReference} holds the plain loops.
 *
 * <p>The input plane is first laid out in {@link Plane#phases}: zero padded, and with a stride
 * {@code SW} split into {@code SW} column phases (phase {@code q} holds padded columns
 * {@code q, q+SW, q+2·SW, …}), so that the inputs of consecutive outputs are consecutive floats in
 * one phase for every tap, whatever the stride and dilation. Backward scatters into the same layout.
 *
 * <pre>
 * phases[q, r, i] = padded[r, i·SW + q]      q < SW, r < H + 2·PH, i < WQ = ⌈(W + 2·PW) / SW⌉
 * tap (kh, kw) of output (y, x): phase (kw·DW) mod SW, row y·SH + kh·DH, column x + ⌊kw·DW / SW⌋
 * </pre>
 */
public final class Depthwise {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    private Depthwise() {
    }

    /**
     * One channel's window geometry over an {@code [H, W]} plane, and {@code taps}: where tap
     * {@code t = kh·KW + kw} of output row 0, column 0 is in the phase layout (made once per plane, not per call).
     */
    public record Plane(int height, int width, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                        int dilationH, int dilationW, int outH, int outW, int[] taps) {

        public Plane(int height, int width, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                     int dilationH, int dilationW, int outH, int outW) {
            this(height, width, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW,
                    new int[kernelH * kernelW]);
            for (int kh = 0, t = 0; kh < kernelH; kh++) {
                for (int kw = 0; kw < kernelW; kw++, t++) {
                    int column = kw * dilationW;
                    taps[t] = column % strideW * phaseSize() + kh * dilationH * phaseWidth() + column / strideW;
                }
            }
        }

        /** Floats of one phase: {@code (H + 2·PH) × WQ}. */
        int phaseSize() {
            return (height + 2 * padH) * phaseWidth();
        }

        int phaseWidth() {
            return (width + 2 * padW + strideW - 1) / strideW;
        }

        /** Floats of the phase layout, with room for a vector read past its end. */
        public int phases() {
            return strideW * phaseSize() + LANES;
        }

        /** Floats of a row buffer: an output row rounded up to whole vectors. */
        public int row() {
            return (outW + LANES - 1) / LANES * LANES;
        }

        /** Floats of the lane-wise partial sums {@link #weightGradient} keeps: one vector per tap. */
        public int partials() {
            return kernelH * kernelW * LANES;
        }
    }

    /** {@code in[H×W]} at {@code inAt} into the phase layout at {@code phasesAt} (zero padded). */
    public static void split(Plane p, float[] in, int inAt, float[] phases, int phasesAt) {
        int wq = p.phaseWidth();
        int rows = p.height() + 2 * p.padH();
        for (int q = 0; q < p.strideW(); q++) {
            int phase = phasesAt + q * p.phaseSize();
            Arrays.fill(phases, phase, phase + p.padH() * wq, 0f);
            Arrays.fill(phases, phase + (p.padH() + p.height()) * wq, phase + rows * wq, 0f);
            // Padded column i·SW + q is input column i·SW + q − PW: inside the image for i in [first, end).
            int first = Math.max(0, (p.padW() - q + p.strideW() - 1) / p.strideW());
            int end = Math.max(first, Math.min(wq, (p.width() + p.padW() - q + p.strideW() - 1) / p.strideW()));
            for (int r = 0; r < p.height(); r++) {
                int rowAt = phase + (r + p.padH()) * wq;
                int src = inAt + r * p.width() + first * p.strideW() + q - p.padW();
                Arrays.fill(phases, rowAt, rowAt + first, 0f);
                if (p.strideW() == 1) {
                    System.arraycopy(in, src, phases, rowAt + first, end - first);
                } else {
                    for (int i = first; i < end; i++, src += p.strideW()) {
                        phases[rowAt + i] = in[src];
                    }
                }
                Arrays.fill(phases, rowAt + end, rowAt + wq, 0f);
            }
        }
        Arrays.fill(phases, phasesAt + p.strideW() * p.phaseSize(), phasesAt + p.phases(), 0f);
    }

    /** The inverse of {@link #split} for gradients: {@code dIn[H×W]} at {@code dInAt} from the padded phase layout. */
    public static void merge(Plane p, float[] phases, int phasesAt, float[] dIn, int dInAt) {
        int wq = p.phaseWidth();
        for (int r = 0; r < p.height(); r++) {
            int rowAt = phasesAt + (r + p.padH()) * wq;
            for (int x = 0; x < p.width(); x++) {
                int column = x + p.padW();
                dIn[dInAt + r * p.width() + x] = phases[rowAt + column % p.strideW() * p.phaseSize() + column / p.strideW()];
            }
        }
    }

    /** {@code out[OH×OW]} at {@code outAt} from the phase layout and {@code w[KH×KW]} at {@code wAt}; {@code row} is scratch. */
    public static void forward(Plane p, float[] phases, int phasesAt, float[] w, int wAt, float[] out, int outAt, float[] row) {
        int[] taps = p.taps();
        int rowStep = p.strideH() * p.phaseWidth();
        for (int y = 0; y < p.outH(); y++) {
            int base = phasesAt + y * rowStep;
            for (int x0 = 0; x0 < p.outW(); x0 += LANES) {
                FloatVector sum = FloatVector.zero(SPECIES);
                for (int t = 0; t < taps.length; t++) {
                    sum = FloatVector.broadcast(SPECIES, w[wAt + t]).fma(FloatVector.fromArray(SPECIES, phases, base + taps[t] + x0), sum);
                }
                sum.intoArray(row, x0);
            }
            System.arraycopy(row, 0, out, outAt + y * p.outW(), p.outW());
        }
    }

    /**
     * {@code dPhases += w · dOut} scattered to every input each output read ({@link #forward}'s adjoint),
     * into a phase layout the caller has cleared; {@link #merge} then gives the input gradient.
     */
    public static void inputGradient(Plane p, float[] dOut, int dOutAt, float[] w, int wAt, float[] dPhases, int phasesAt,
                                     float[] row) {
        backward(p, dOut, dOutAt, w, wAt, dPhases, phasesAt, null, row);
    }

    /**
     * Lane-wise partial sums of the weight gradient, {@code partial[t·LANES + l] += dOut · input} over
     * the outputs of lane l, for one image; {@link #laneSum} adds a tap's lanes in order once every image is in.
     */
    public static void weightGradient(Plane p, float[] dOut, int dOutAt, float[] phases, int phasesAt, float[] partial,
                                      float[] row) {
        backward(p, dOut, dOutAt, null, 0, phases, phasesAt, partial, row);
    }

    /**
     * Both gradients walk the output gradient vector by vector against each tap's inputs: without
     * {@code partial}, the input gradient ({@code phases += w·g}); with it, the weight gradient
     * ({@code partial += g·phases}). The choice is the same for the whole call, so C2 hoists it out of the loops.
     */
    private static void backward(Plane p, float[] dOut, int dOutAt, float[] w, int wAt, float[] phases, int phasesAt,
                                 float[] partial, float[] row) {
        int[] taps = p.taps();
        int rowStep = p.strideH() * p.phaseWidth();
        for (int y = 0; y < p.outH(); y++) {
            loadRow(p, dOut, dOutAt + y * p.outW(), row);
            int base = phasesAt + y * rowStep;
            for (int x0 = 0; x0 < p.outW(); x0 += LANES) {
                FloatVector g = FloatVector.fromArray(SPECIES, row, x0);
                for (int t = 0; t < taps.length; t++) {
                    int at = base + taps[t] + x0;
                    if (partial == null) {
                        FloatVector.broadcast(SPECIES, w[wAt + t]).fma(g, FloatVector.fromArray(SPECIES, phases, at))
                                .intoArray(phases, at);
                    } else {
                        g.fma(FloatVector.fromArray(SPECIES, phases, at), FloatVector.fromArray(SPECIES, partial, t * LANES))
                                .intoArray(partial, t * LANES);
                    }
                }
            }
        }
    }

    /** Tap {@code t}'s partial sums, lane 0 first. */
    public static float laneSum(float[] partial, int t) {
        float sum = 0f;
        for (int l = t * LANES; l < (t + 1) * LANES; l++) {
            sum += partial[l];
        }
        return sum;
    }

    /** One output row of {@code dOut} into {@code row}, zeros after it: the vector tail reads no neighbour's values. */
    private static void loadRow(Plane p, float[] dOut, int at, float[] row) {
        System.arraycopy(dOut, at, row, 0, p.outW());
        Arrays.fill(row, p.outW(), row.length, 0f);
    }
}
