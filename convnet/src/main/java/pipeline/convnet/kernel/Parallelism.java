package pipeline.convnet.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * The engine's worker threads. Work is split into fixed chunks whose results never depend on which
 * thread ran them, so a fixed thread count (indeed any thread count) gives identical numbers.
 * Tuning knob: system property {@code convnet.threads} (default: available processors).
 */
public final class Parallelism {

    private static volatile ForkJoinPool pool = new ForkJoinPool(
            Integer.getInteger("convnet.threads", Runtime.getRuntime().availableProcessors()));

    /** Body of a parallel loop over {@code [from, to)}. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    private Parallelism() {
    }

    public static int threads() {
        return pool.getParallelism();
    }

    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count " + threads + " must be 1 or more");
        }
        if (threads != pool.getParallelism()) {
            ForkJoinPool old = pool;
            pool = new ForkJoinPool(threads);
            old.shutdown();
        }
    }

    /** Runs {@code body} over {@code [0, total)} in chunks of at least {@code grain}, inline when there is one chunk. */
    public static void forRange(int total, int grain, Range body) {
        int chunks = Math.min(threads() * 4, Math.max(1, total / Math.max(1, grain)));
        if (chunks <= 1 || threads() == 1) {
            body.run(0, total);
            return;
        }
        int step = (total + chunks - 1) / chunks;
        pool.submit(() -> IntStream.range(0, chunks).parallel().forEach(c -> {
            int from = c * step;
            int to = Math.min(total, from + step);
            if (from < to) {
                body.run(from, to);
            }
        })).join();
    }
}
