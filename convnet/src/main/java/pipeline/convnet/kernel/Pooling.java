package pipeline.convnet.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max and average pooling over planes {@code [planeFrom, planeTo)} of a {@code [N·C, H, W]} input,
 * square windows (kernel K, stride S, padding P). Each output's window is clipped to the image once,
 * then read with plain row loops; {@link PoolingReference} is the pair-by-pair definition they equal.
 */
public final class Pooling {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private Pooling() {
    }

    /** Geometry of one pooling layer on one input size. */
    public record Window(int height, int width, int kernel, int stride, int pad, int outH, int outW) {
        public int inPlane() {
            return height * width;
        }

        public int outPlane() {
            return outH * outW;
        }

        /** The first input row (or column) of output {@code o}'s window, clipped to the image. */
        int first(int o) {
            return Math.max(0, o * stride - pad);
        }

        /** One past the last input row (or column) of output {@code o}'s window, clipped to {@code extent}. */
        int end(int o, int extent) {
            return Math.min(extent, o * stride - pad + kernel);
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
        if (w.kernel() == 2 && w.stride() == 2 && w.pad() == 0) {
            maxTwoByTwo(w, in, out, argmax, planeFrom, planeTo);
            return;
        }
        for (int plane = planeFrom; plane < planeTo; plane++) {
            int inBase = plane * w.inPlane();
            int at = plane * w.outPlane();
            for (int oh = 0; oh < w.outH(); oh++) {
                int h0 = w.first(oh);
                int h1 = w.end(oh, w.height());
                for (int ow = 0; ow < w.outW(); ow++, at++) {
                    int w0 = w.first(ow);
                    int w1 = w.end(ow, w.width());
                    int best = inBase + h0 * w.width() + w0;
                    float max = in[best];
                    for (int ih = h0; ih < h1 && !Float.isNaN(max); ih++) {
                        for (int i = inBase + ih * w.width() + w0, end = i - w0 + w1; i < end; i++) {
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
        int width = w.width();
        float[] rowMax = Workspace.floats(Workspace.Slot.PRODUCT, width);
        for (int plane = planeFrom; plane < planeTo; plane++) {
            int inBase = plane * w.inPlane();
            int at = plane * w.outPlane();
            for (int oh = 0; oh < w.outH(); oh++) {
                int h0 = w.first(oh);
                int h1 = w.end(oh, w.height());
                System.arraycopy(in, inBase + h0 * width, rowMax, 0, width);
                for (int ih = h0 + 1; ih < h1; ih++) {
                    largerRows(rowMax, in, inBase + ih * width, width);
                }
                for (int ow = 0; ow < w.outW(); ow++, at++) {
                    int w0 = w.first(ow);
                    int w1 = w.end(ow, width);
                    float max = rowMax[w0];
                    for (int i = w0 + 1; i < w1; i++) {
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

    /** {@code out = sum over each window / K²} (zero padding counts, as PyTorch's default). */
    public static void average(Window w, float[] in, float[] out, int planeFrom, int planeTo) {
        averageWindows(w, in, out, false, planeFrom, planeTo);
    }

    /** {@code gradIn += gradOut / K²} spread over each window; {@code gradIn} starts at zero. */
    public static void averageBackward(Window w, float[] gradOut, float[] gradIn, int planeFrom, int planeTo) {
        averageWindows(w, gradIn, gradOut, true, planeFrom, planeTo);
    }

    /**
     * The walk both directions share: forward sums {@code image} over each window into {@code pooled};
     * backward spreads each {@code pooled} value over its window, adding into {@code image}.
     */
    private static void averageWindows(Window w, float[] image, float[] pooled, boolean backward, int planeFrom, int planeTo) {
        float scale = 1f / (w.kernel() * w.kernel());
        for (int plane = planeFrom; plane < planeTo; plane++) {
            int inBase = plane * w.inPlane();
            int at = plane * w.outPlane();
            for (int oh = 0; oh < w.outH(); oh++) {
                int h0 = w.first(oh);
                int h1 = w.end(oh, w.height());
                for (int ow = 0; ow < w.outW(); ow++, at++) {
                    int w0 = w.first(ow);
                    int w1 = w.end(ow, w.width());
                    float share = pooled[at] * scale;
                    float sum = 0f;
                    for (int ih = h0; ih < h1; ih++) {
                        for (int i = inBase + ih * w.width() + w0, end = i - w0 + w1; i < end; i++) {
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
