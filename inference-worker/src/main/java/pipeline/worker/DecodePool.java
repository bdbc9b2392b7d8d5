package pipeline.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * The worker's own threads for reading and decoding a batch's records (not the engine's pool, which
 * the forward pass uses): a batch is cut into one contiguous share per thread, the calling thread
 * taking the first, so a pool of one thread runs everything on the caller with no hand-off.
 */
public final class DecodePool implements AutoCloseable {

    private final int threads;
    private final ExecutorService helpers;

    /** @param threads threads that decode at once, the caller included: 1 or more */
    public DecodePool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("decoding needs 1 thread or more; got " + threads);
        }
        this.threads = threads;
        this.helpers = threads == 1 ? null
                : Executors.newFixedThreadPool(threads - 1, Thread.ofPlatform().name("decode-", 1).daemon().factory());
    }

    /**
     * Runs {@code task} for every index {@code 0 … n − 1} and returns when all have run. A task's
     * unchecked exception is rethrown here once every share has finished.
     */
    void forEach(int n, IntConsumer task) {
        int shares = Math.min(threads, n);
        List<Future<?>> others = new ArrayList<>(shares);
        for (int s = 1; s < shares; s++) {
            int from = s * n / shares;
            int to = (s + 1) * n / shares;
            others.add(helpers.submit(() -> run(task, from, to)));
        }
        RuntimeException failure = null;
        try {
            run(task, 0, n / Math.max(1, shares));
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Future<?> share : others) {
            try {
                share.get();
            } catch (ExecutionException e) {
                failure = failure != null ? failure
                        : e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure != null ? failure : new IllegalStateException("interrupted while decoding a batch", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void run(IntConsumer task, int from, int to) {
        for (int i = from; i < to; i++) {
            task.accept(i);
        }
    }

    @Override
    public void close() {
        if (helpers != null) {
            helpers.shutdown();
        }
    }
}
