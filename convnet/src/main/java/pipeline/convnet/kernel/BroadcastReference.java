package pipeline.convnet.kernel;

import pipeline.convnet.tensor.Shapes;

/** Broadcast arithmetic by its definition, one output element at a time: {@link Broadcast} must give the same numbers. */
public final class BroadcastReference {

    private BroadcastReference() {
    }

    /** {@code y[i] = a[i mapped into a] op b[i mapped into b]}, then {@code max(0, ·)} when {@code relu}. */
    public static void apply(Broadcast.Operator op, float[] a, int[] aShape, float[] b, int[] bShape, float[] y, boolean relu) {
        int[] out = Broadcast.shape("reference", aShape, bShape);
        int[] sa = Broadcast.strides(aShape, out);
        int[] sb = Broadcast.strides(bShape, out);
        for (int i = 0, n = Shapes.size(out); i < n; i++) {
            int ao = 0;
            int bo = 0;
            int rest = i;
            for (int axis = out.length - 1; axis >= 0; axis--) {
                int index = rest % out[axis];
                rest /= out[axis];
                ao += index * sa[axis];
                bo += index * sb[axis];
            }
            float v = op.apply(a[ao], b[bo]);
            y[i] = relu && v <= 0f ? 0f : v;
        }
    }
}
