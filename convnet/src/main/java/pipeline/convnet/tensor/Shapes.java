package pipeline.convnet.tensor;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Shape arithmetic and the shape checks every layer makes at its boundary. */
public final class Shapes {

    private Shapes() {
    }

    public static int size(int... shape) {
        long size = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + toString(shape));
            }
            size *= d;
        }
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shape " + toString(shape) + " has more than 2^31 values");
        }
        return (int) size;
    }

    public static String toString(int... shape) {
        return Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining(", ", "[", "]"));
    }

    /**
     * Fails unless {@code input} has rank {@code expected.length} and matches every non-negative
     * entry of {@code expected} (-1 = any size; shown as N for the batch and ? elsewhere).
     */
    public static void require(String layer, Tensor input, int... expected) {
        require(layer, input.shape(), expected);
    }

    /** As {@link #require(String, Tensor, int...)}, for a shape. */
    public static void require(String layer, int[] actual, int... expected) {
        boolean ok = actual.length == expected.length;
        for (int i = 0; ok && i < expected.length; i++) {
            ok = expected[i] < 0 || expected[i] == actual[i];
        }
        if (!ok) {
            String[] wanted = new String[expected.length];
            for (int i = 0; i < expected.length; i++) {
                wanted[i] = expected[i] >= 0 ? Integer.toString(expected[i]) : i == 0 ? "N" : "?";
            }
            throw new IllegalArgumentException(layer + " expects input of shape [" + String.join(", ", wanted)
                    + "] but got " + toString(actual));
        }
    }

    /** Output length of a sliding window: {@code floor((in + 2·pad − dil·(k−1) − 1) / stride) + 1}. */
    public static int convOutput(String layer, int in, int kernel, int stride, int pad, int dilation) {
        int span = dilation * (kernel - 1) + 1;
        int out = (in + 2 * pad - span) / stride + 1;
        if (in + 2 * pad < span || out < 1) {
            throw new IllegalArgumentException(layer + ": input size " + in + " with padding " + pad
                    + " is smaller than the kernel's span " + span + " (kernel " + kernel + ", dilation " + dilation + ")");
        }
        return out;
    }
}
