package pipeline.convnet.kernel;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Scratch arrays that live as long as their thread and only grow, so a layer's temporary buffers
 * (im2col columns, padded images, products before they are scattered, gradients of columns) are allocated once,
 * on a thread's first batches, and not again. One array per {@link Slot} and thread: a caller must be
 * done with a slot's contents before it, or anything it calls, asks for the same slot again.
 */
public final class Workspace {

    /** What a scratch array is for; two slots never alias. */
    public enum Slot { COLUMNS, PRODUCT, COLUMN_GRADIENT, PADDED }

    private static final ThreadLocal<float[][]> ARRAYS = ThreadLocal.withInitial(() -> new float[Slot.values().length][]);
    /** Floats of every array handed out, on all threads, minus those replaced by larger ones. */
    private static final AtomicLong HELD = new AtomicLong();

    private Workspace() {
    }

    /** Bytes of scratch held by every thread that has asked for some (threads that ended included). */
    public static long heldBytes() {
        return HELD.get() * Float.BYTES;
    }

    /** This thread's array for {@code slot}, at least {@code size} long; its contents are left over from earlier use. */
    public static float[] floats(Slot slot, int size) {
        float[][] arrays = ARRAYS.get();
        float[] array = arrays[slot.ordinal()];
        if (array == null || array.length < size) {
            HELD.addAndGet(size - (array == null ? 0 : array.length));
            array = new float[size];
            arrays[slot.ordinal()] = array;
        }
        return array;
    }
}
