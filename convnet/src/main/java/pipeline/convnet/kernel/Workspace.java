package pipeline.convnet.kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Scratch arrays that live as long as their thread and only grow, so a layer's temporary buffers
 * (im2col columns, padded images, products before they are scattered, gradients of columns) are allocated once,
 * on a thread's first batches, and not again. One array per {@link Slot} and thread: a caller must be
 * done with a slot's contents before it, or anything it calls, asks for the same slot again.
 */
public final class Workspace {

    /** What a scratch array is for; two slots never alias. */
    public enum Slot { COLUMNS, PRODUCT, COLUMN_GRADIENT, PADDED }

    /** Every live thread's arrays, weakly: a thread that ends takes its scratch with it. */
    private static final Set<float[][]> ALL = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private static final ThreadLocal<float[][]> ARRAYS = ThreadLocal.withInitial(() -> {
        float[][] arrays = new float[Slot.values().length][];
        ALL.add(arrays);
        return arrays;
    });

    private Workspace() {
    }

    /** Bytes of scratch the live threads hold. */
    public static long heldBytes() {
        long floats = 0;
        for (float[][] arrays : snapshot()) {
            for (float[] array : arrays) {
                floats += array == null ? 0 : array.length;
            }
        }
        return floats * Float.BYTES;
    }

    /**
     * Drops every thread's scratch, to be grown again to what the next work needs (after serving a
     * larger model than the next, or to measure one model's scratch). Only while no engine work runs.
     */
    public static void releaseAll() {
        for (float[][] arrays : snapshot()) {
            Arrays.fill(arrays, null);
        }
    }

    private static List<float[][]> snapshot() {
        synchronized (ALL) {
            return new ArrayList<>(ALL);
        }
    }

    /** This thread's array for {@code slot}, at least {@code size} long; its contents are left over from earlier use. */
    public static float[] floats(Slot slot, int size) {
        float[][] arrays = ARRAYS.get();
        float[] array = arrays[slot.ordinal()];
        if (array == null || array.length < size) {
            array = new float[size];
            arrays[slot.ordinal()] = array;
        }
        return array;
    }
}
