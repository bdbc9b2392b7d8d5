package pipeline.onnx;

import java.util.Arrays;
import pipeline.convnet.tensor.Shapes;

/**
 * A value the importer knows before any image arrives: an initializer, a Constant node, a shape, or
 * what a node computes from such values alone (folded at import). Numbers are held as doubles, which
 * hold every float and every integer a shape computation meets exactly. An integer may depend on the
 * batch size N, which stays free: element i is {@code batch[i]·N + values[i]} ({@code batch} is null
 * when nothing does), so {@code x.view(x.size(0), -1)} folds to "keep the batch, infer the rest".
 *
 * @param shape   its dimensions
 * @param values  row-major, {@code Π shape} of them
 * @param batch   per element, how many times N it adds; null for none
 * @param integer whether ONNX typed it as an integer (or boolean)
 */
record Known(int[] shape, double[] values, long[] batch, boolean integer) {

    Known {
        if (values.length != Shapes.size(shape)) {
            throw new IllegalArgumentException("a tensor of shape " + Shapes.toString(shape) + " with " + values.length + " values");
        }
    }

    static Known floats(int[] shape, double[] values) {
        return new Known(shape, values, null, false);
    }

    static Known integers(int[] shape, double[] values) {
        return new Known(shape, values, null, true);
    }

    int size() {
        return values.length;
    }


    boolean anyBatchDependent() {
        return batch != null && Arrays.stream(batch).anyMatch(a -> a != 0);
    }

    /** The values as floats, for an engine constant. */
    float[] asFloats(String what) {
        if (anyBatchDependent()) {
            throw new IllegalArgumentException(what + " depends on the batch size, so it cannot be a constant of the network");
        }
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    /** The values as whole numbers (batch-independent), for attributes-like inputs: axes, pads, sizes. */
    long[] asLongs(String what) {
        if (anyBatchDependent()) {
            throw new IllegalArgumentException(what + " depends on the batch size; expected numbers fixed at import");
        }
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = clampToLong(values[i]);
        }
        return out;
    }

    private static long clampToLong(double v) {
        return v >= Long.MAX_VALUE ? Long.MAX_VALUE : v <= Long.MIN_VALUE ? Long.MIN_VALUE : (long) v;
    }

    long batchOf(int i) {
        return batch == null ? 0 : batch[i];
    }
}
