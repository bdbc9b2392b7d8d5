package pipeline.convnet.kernel;

import java.util.Arrays;

/**
 * Pooling by its definition: every (output, input inside its window) pair visited one at a time,
 * outputs in order and each window row by row. {@link Pooling} must give the same numbers.
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

    public static void average(Pooling.Window w, float[] in, float[] out, int planes) {
        float scale = 1f / (w.kernel() * w.kernel());
        Arrays.fill(out, 0, planes * w.outPlane(), 0f);
        visit(w, planes, (o, i) -> out[o] += in[i] * scale);
    }

    public static void averageBackward(Pooling.Window w, float[] gradOut, float[] gradIn, int planes) {
        float scale = 1f / (w.kernel() * w.kernel());
        visit(w, planes, (o, i) -> gradIn[i] += gradOut[o] * scale);
    }

    private static void visit(Pooling.Window w, int planes, Pair pair) {
        int at = 0;
        for (int plane = 0; plane < planes; plane++) {
            int base = plane * w.inPlane();
            for (int oh = 0; oh < w.outH(); oh++) {
                for (int ow = 0; ow < w.outW(); ow++, at++) {
                    for (int kh = 0; kh < w.kernel(); kh++) {
                        int ih = oh * w.stride() - w.pad() + kh;
                        for (int kw = 0; kw < w.kernel() && ih >= 0 && ih < w.height(); kw++) {
                            int iw = ow * w.stride() - w.pad() + kw;
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
