package pipeline.bench;

/**
 * Times one operation: runs it for half the measuring time to warm up (JIT, caches, thread pools),
 * then for the measuring time, and reports calls per second. Repetitions and medians are the
 * caller's: {@link Samples}.
 */
final class Rate {

    /** One call of the thing measured. */
    @FunctionalInterface
    interface Call {
        void run() throws Exception;
    }

    private Rate() {
    }

    static double callsPerSecond(Call call, double seconds) throws Exception {
        long warmUpEnd = System.nanoTime() + (long) (seconds / 2 * 1e9);
        while (System.nanoTime() < warmUpEnd) {
            call.run();
        }
        long start = System.nanoTime();
        long calls = 0;
        while (true) {
            call.run();
            calls++;
            long elapsed = System.nanoTime() - start;
            if (elapsed >= seconds * 1e9) {
                return calls / (elapsed / 1e9);
            }
        }
    }
}
