package pipeline.convnet.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max and average pooling over planes {@code [planeFrom, planeTo)} of a {@code [N·C, H, W]} input.
 * Each axis has its own kernel, stride, dilation and padding before and after ({@link Slide}); output
 * lengths round down or, in ceil mode, up. Each output's window is clipped to the image once (its
 * first and last taps inside it), then read with plain loops; {@link PoolingReference} is the
 * tap-by-tap definition they equal.
 */
public final class Pooling {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private Pooling() {
    }

    /**
     * How a window slides along one axis: {@code kernel} taps {@code dilation} apart, moved by {@code stride},
     * over the input with {@code padBefore} and {@code padAfter} positions of padding at its ends.
     */
    public record Slide(int kernel, int stride, int dilation, int padBefore, int padAfter) {

        public Slide {
            if (kernel < 1 || stride < 1 || dilation < 1 || padBefore < 0 || padAfter < 0) {
                throw new IllegalArgumentException("kernel, stride and dilation must be 1 or more and padding 0 or more;"
                        + " got kernel " + kernel + ", stride " + stride + ", dilation " + dilation + ", padding "
                        + padBefore + " before and " + padAfter + " after");
            }
        }

        /** Kernel {@code kernel}, stride {@code stride}, padding {@code pad} at both ends, no dilation. */
        public static Slide of(int kernel, int stride, int pad) {
            return new Slide(kernel, stride, 1, pad, pad);
        }

        /** Positions from the first tap to the last: {@code dilation·(kernel − 1) + 1}. */
        public int span() {
            return dilation * (kernel - 1) + 1;
        }

        /**
         * This slide over an input of {@code in} positions. Outputs: {@code ⌊(in + pads − span) / stride⌋ + 1},
         * or rounded up in {@code ceil} mode, where a last window that would start in the padding after
         * the input is dropped (PyTorch's rule). Every window must hold at least one input position.
         */
        public Axis over(String layer, int in, boolean ceil) {
            int room = in + padBefore + padAfter - span();
            if (room < 0) {
                throw new IllegalArgumentException(layer + ": input size " + in + " with padding " + padBefore + "+" + padAfter
                        + " is smaller than the window's span " + span() + " (kernel " + kernel + ", dilation " + dilation + ")");
            }
            int out = (ceil ? Math.ceilDiv(room, stride) : room / stride) + 1;
            if (ceil && (out - 1) * stride >= in + padBefore) {
                out--;
            }
            Axis axis = new Axis(in, kernel, stride, dilation, padBefore, padAfter, out);
            for (int o = 0; o < out; o++) {
                if (axis.firstTap(o) >= axis.endTap(o)) {
                    throw new IllegalArgumentException(layer + ": window " + o + " over an input of size " + in
                            + " covers only padding (kernel " + kernel + ", stride " + stride + ", dilation " + dilation
                            + ", padding " + padBefore + "+" + padAfter + "); use less padding");
                }
            }
            return axis;
        }
    }

    /** A {@link Slide} over an input of {@code in} positions, giving {@code out} outputs. */
    public record Axis(int in, int kernel, int stride, int dilation, int padBefore, int padAfter, int out) {

        /** Where tap 0 of output {@code o} falls: negative in the padding before the input. */
        public int start(int o) {
            return o * stride - padBefore;
        }

        /** The first tap of output {@code o}'s window inside the input. */
        public int firstTap(int o) {
            int start = start(o);
            return start >= 0 ? 0 : Math.ceilDiv(-start, dilation);
        }

        /** One past the last tap of output {@code o}'s window inside the input. */
        public int endTap(int o) {
            return Math.min(kernel, Math.max(0, Math.ceilDiv(in - start(o), dilation)));
        }

        /** The input position of tap {@code tap} of output {@code o}. */
        public int position(int o, int tap) {
            return start(o) + tap * dilation;
        }

        /**
         * Taps of output {@code o} that average pooling counts: those inside the input, or with
         * {@code countPadding} those inside the padded extent {@code [−padBefore, in + padAfter)}, where
         * every window starts.
         */
        public int counted(int o, boolean countPadding) {
            if (!countPadding) {
                return endTap(o) - firstTap(o);
            }
            return Math.min(kernel, Math.ceilDiv(in + padAfter - start(o), dilation));
        }
    }

    /** Geometry of one pooling layer on one input size: rows (height) and columns (width). */
    public record Window(Axis rows, Axis cols) {
        public int height() {
            return rows.in();
        }

        public int width() {
            return cols.in();
        }

        public int outH() {
            return rows.out();
        }

        public int outW() {
            return cols.out();
        }

        public int inPlane() {
            return rows.in() * cols.in();
        }

        public int outPlane() {
            return rows.out() * cols.out();
        }

        /** 2×2 windows, stride 2, no padding or dilation, none running off the input: four reads per output. */
        boolean twoByTwo() {
            return plain(rows) && plain(cols);
        }

        private static boolean plain(Axis a) {
            return a.kernel() == 2 && a.stride() == 2 && a.dilation() == 1 && a.padBefore() == 0 && 2 * a.out() <= a.in();
        }
    }

    /**
     * {@code out = max over each window}; padding never wins, NaN always does (the first NaN); ties go
     * to the first position. {@code argmax} (flat input indices) is filled when not null.
     */
    public static void max(Window w, float[] in, float[] out, int[] argmax, int planeFrom, int planeTo) {
        if (argmax == null) {
            maxValues(w, in, out, planeFrom, planeTo);
            return;
        }
        if (w.twoByTwo()) {
            maxTwoByTwo(w, in, out, argmax, planeFrom, planeTo);
            return;
        }
        Axis rows = w.rows();
        Axis cols = w.cols();
        int width = w.width();
        for (int plane = planeFrom; plane < planeTo; plane++) {
            int inBase = plane * w.inPlane();
            int at = plane * w.outPlane();
            for (int oh = 0; oh < w.outH(); oh++) {
                int firstRow = rows.position(oh, rows.firstTap(oh));
                int endRow = rows.position(oh, rows.endTap(oh));
                for (int ow = 0; ow < w.outW(); ow++, at++) {
                    int firstCol = cols.position(ow, cols.firstTap(ow));
                    int endCol = cols.position(ow, cols.endTap(ow));
                    int best = inBase + firstRow * width + firstCol;
                    float max = in[best];
                    for (int ih = firstRow; ih < endRow && !Float.isNaN(max); ih += rows.dilation()) {
                        for (int i = inBase + ih * width + firstCol, end = i - firstCol + endCol; i < end; i += cols.dilation()) {
                            float v = in[i];
                            if (v > max || Float.isNaN(v)) {
                                max = v;
                                best = i;
                                if (Float.isNaN(v)) {
                                    break;
                                }
                            }
                        }
                    }
                    out[at] = max;
                    argmax[at] = best;
                }
            }
        }
    }

    /** The common 2×2, stride-2 case: four reads per output, no clipping, the same rules as {@link #max}. */
    private static void maxTwoByTwo(Window w, float[] in, float[] out, int[] argmax, int planeFrom, int planeTo) {
        int width = w.width();
        for (int plane = planeFrom; plane < planeTo; plane++) {
            int at = plane * w.outPlane();
            for (int oh = 0; oh < w.outH(); oh++) {
                int row = plane * w.inPlane() + 2 * oh * width;
                for (int ow = 0; ow < w.outW(); ow++, at++) {
                    int top = row + 2 * ow;
                    int best = wins(in, top + 1, top);
                    best = wins(in, top + width, best);
                    best = wins(in, top + width + 1, best);
                    out[at] = in[best];
                    argmax[at] = best;
                }
            }
        }
    }

    /**
     * The maxima alone (inference: no positions to keep), any window: for each output row, the larger
     * of the window's input rows column by column, a vector at a time, into a row of scratch; then
     * each output the larger of its window's columns of that row. Ties keep the earlier row, then
     * the earlier column, NaN wins: the values {@link #max} gives, but for which zero a tie of −0
     * and +0 keeps (the window is read by columns of rows rather than rows of columns).
     */
    private static void maxValues(Window w, float[] in, float[] out, int planeFrom, int planeTo) {
        Axis rows = w.rows();
        Axis cols = w.cols();
        int width = w.width();
        float[] rowMax = Workspace.floats(Workspace.Slot.PRODUCT, width);
        for (int plane = planeFrom; plane < planeTo; plane++) {
            int inBase = plane * w.inPlane();
            int at = plane * w.outPlane();
            for (int oh = 0; oh < w.outH(); oh++) {
                int firstRow = rows.position(oh, rows.firstTap(oh));
                int endRow = rows.position(oh, rows.endTap(oh));
                System.arraycopy(in, inBase + firstRow * width, rowMax, 0, width);
                for (int ih = firstRow + rows.dilation(); ih < endRow; ih += rows.dilation()) {
                    largerRows(rowMax, in, inBase + ih * width, width);
                }
                for (int ow = 0; ow < w.outW(); ow++, at++) {
                    int firstCol = cols.position(ow, cols.firstTap(ow));
                    int endCol = cols.position(ow, cols.endTap(ow));
                    float max = rowMax[firstCol];
                    for (int i = firstCol + cols.dilation(); i < endCol; i += cols.dilation()) {
                        max = larger(max, rowMax[i]);
                    }
                    out[at] = max;
                }
            }
        }
    }

    /** {@code acc[i] = larger(acc[i], in[from + i])} for the {@code width} columns of a row. */
    private static void largerRows(float[] acc, float[] in, int from, int width) {
        int i = 0;
        for (int bound = SPECIES.loopBound(width); i < bound; i += SPECIES.length()) {
            FloatVector a = FloatVector.fromArray(SPECIES, acc, i);
            FloatVector b = FloatVector.fromArray(SPECIES, in, from + i);
            a.blend(b, a.compare(VectorOperators.GE, b).or(a.test(VectorOperators.IS_NAN)).not()).intoArray(acc, i);
        }
        for (; i < width; i++) {
            acc[i] = larger(acc[i], in[from + i]);
        }
    }

    /** The larger of two values in window order: {@code first} on a tie, and whichever is NaN first ({@link #max}'s rule). */
    private static float larger(float first, float second) {
        return first >= second || first != first ? first : second;
    }

    /** {@code candidate} if it beats the maximum so far at {@code best}: larger, or the first NaN. */
    private static int wins(float[] in, int candidate, int best) {
        float current = in[best];
        float v = in[candidate];
        return !Float.isNaN(current) && (v > current || Float.isNaN(v)) ? candidate : best;
    }

    /**
     * {@code out = Σ window · (1 / count)}, count being the window's taps inside the input, or with
     * {@code countPadding} inside the padded extent (PyTorch's {@code count_include_pad}).
     */
    public static void average(Window w, boolean countPadding, float[] in, float[] out, int planeFrom, int planeTo) {
        averageWindows(w, countPadding, in, out, false, planeFrom, planeTo);
    }

    /** {@code gradIn += gradOut / count} spread over each window; {@code gradIn} starts at zero. */
    public static void averageBackward(Window w, boolean countPadding, float[] gradOut, float[] gradIn,
                                       int planeFrom, int planeTo) {
        averageWindows(w, countPadding, gradIn, gradOut, true, planeFrom, planeTo);
    }

    /**
     * The walk both directions share: forward sums {@code image} over each window into {@code pooled};
     * backward spreads each {@code pooled} value over its window, adding into {@code image}.
     */
    private static void averageWindows(Window w, boolean countPadding, float[] image, float[] pooled, boolean backward,
                                       int planeFrom, int planeTo) {
        Axis rows = w.rows();
        Axis cols = w.cols();
        int width = w.width();
        for (int plane = planeFrom; plane < planeTo; plane++) {
            int inBase = plane * w.inPlane();
            int at = plane * w.outPlane();
            for (int oh = 0; oh < w.outH(); oh++) {
                int firstRow = rows.position(oh, rows.firstTap(oh));
                int endRow = rows.position(oh, rows.endTap(oh));
                int rowCount = rows.counted(oh, countPadding);
                for (int ow = 0; ow < w.outW(); ow++, at++) {
                    int firstCol = cols.position(ow, cols.firstTap(ow));
                    int endCol = cols.position(ow, cols.endTap(ow));
                    float scale = 1f / (rowCount * cols.counted(ow, countPadding));
                    float share = pooled[at] * scale;
                    float sum = 0f;
                    for (int ih = firstRow; ih < endRow; ih += rows.dilation()) {
                        for (int i = inBase + ih * width + firstCol, end = i - firstCol + endCol; i < end; i += cols.dilation()) {
                            if (backward) {
                                image[i] += share;
                            } else {
                                sum += image[i] * scale;
                            }
                        }
                    }
                    if (!backward) {
                        pooled[at] = sum;
                    }
                }
            }
        }
    }

    /** {@code gradIn[argmax[i]] += gradOut[i]} for the outputs of the given planes. */
    public static void maxBackward(Window w, int[] argmax, float[] gradOut, float[] gradIn, int planeFrom, int planeTo) {
        for (int i = planeFrom * w.outPlane(), end = planeTo * w.outPlane(); i < end; i++) {
            gradIn[argmax[i]] += gradOut[i];
        }
    }
}
