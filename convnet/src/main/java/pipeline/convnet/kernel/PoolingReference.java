package pipeline.convnet.kernel;

import java.util.Arrays;

/**
 * Pooling by its definition: every (output, input tap inside its window) pair visited one at a time,
 * outputs in order and each window row by row, the taps found by testing every kernel position.
 * {@link Pooling} must give the same numbers.
 */
public final class PoolingReference {

    /** One (output element, input element) pair of a window. */
    @FunctionalInterface
    private interface Pair {
        void accept(int outIndex, int inIndex);
    }

    private PoolingReference() {
    }

    public static void max(Pooling.Window w, float[] in, float[] out, int[] argmax, int planes) {
        Arrays.fill(argmax, 0, planes * w.outPlane(), -1);
        visit(w, planes, (o, i) -> {
            if (argmax[o] < 0 || in[i] > out[o] || (Float.isNaN(in[i]) && !Float.isNaN(out[o]))) {
                out[o] = in[i];
                argmax[o] = i;
            }
        });
    }

    public static void average(Pooling.Window w, boolean countPadding, float[] in, float[] out, int planes) {
        Arrays.fill(out, 0, planes * w.outPlane(), 0f);
        visit(w, planes, (o, i) -> out[o] += in[i] * scale(w, countPadding, o));
    }

    public static void averageBackward(Pooling.Window w, boolean countPadding, float[] gradOut, float[] gradIn, int planes) {
        visit(w, planes, (o, i) -> gradIn[i] += gradOut[o] * scale(w, countPadding, o));
    }

    /**
     * {@code 1 / count} for output {@code o}: the window's taps inside the input, or with
     * {@code countPadding} inside the padded extent, counted one by one.
     */
    private static float scale(Pooling.Window w, boolean countPadding, int o) {
        int oh = o % w.outPlane() / w.outW();
        int ow = o % w.outW();
        return 1f / (taps(w.rows(), oh, countPadding) * taps(w.cols(), ow, countPadding));
    }

    private static int taps(Pooling.Axis axis, int o, boolean countPadding) {
        int count = 0;
        for (int k = 0; k < axis.kernel(); k++) {
            int p = axis.position(o, k);
            count += countPadding ? (p < axis.in() + axis.padAfter() ? 1 : 0) : (p >= 0 && p < axis.in() ? 1 : 0);
        }
        return count;
    }

    private static void visit(Pooling.Window w, int planes, Pair pair) {
        int at = 0;
        for (int plane = 0; plane < planes; plane++) {
            int base = plane * w.inPlane();
            for (int oh = 0; oh < w.outH(); oh++) {
                for (int ow = 0; ow < w.outW(); ow++, at++) {
                    for (int kh = 0; kh < w.rows().kernel(); kh++) {
                        int ih = w.rows().position(oh, kh);
                        for (int kw = 0; kw < w.cols().kernel() && ih >= 0 && ih < w.height(); kw++) {
                            int iw = w.cols().position(ow, kw);
                            if (iw >= 0 && iw < w.width()) {
                                pair.accept(at, base + ih * w.width() + iw);
                            }
                        }
                    }
                }
            }
        }
    }
}
