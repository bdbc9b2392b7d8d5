package pipeline.onnx;

/** ONNX's rules for one axis of a Slice: negative positions count from the end, then clamp to the axis. */
final class Slicing {

    private Slicing() {
    }

    /**
     * {@code {first, count, step}} of the elements {@code start, start + step, …} before {@code end} on an axis of {@code size}.
     *
     * @throws IllegalArgumentException for a step of 0
     */
    static int[] range(int size, long start, long end, long step) {
        if (step == 0) {
            throw new IllegalArgumentException("slice step 0");
        }
        long s = start < 0 ? start + size : start;
        long e = end < 0 ? end + size : end;
        if (step > 0) {
            s = Math.clamp(s, 0, size);
            e = Math.clamp(e, 0, size);
        } else {
            s = Math.clamp(s, -1, size - 1);
            e = Math.clamp(e, -1, size - 1);
        }
        long count = step > 0 ? Math.max(0, (e - s + step - 1) / step) : Math.max(0, (s - e - step - 1) / -step);
        return new int[] {(int) s, (int) count, (int) step};
    }
}
