package pipeline.convnet.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * A persistent team of threads that runs one parallel region at a time: the calling thread and
 * {@code size − 1} helpers take the region's chunks in turn from a shared counter. Helpers spin for
 * a short while after a region before they park, so the next region of the same layer (regions come
 * back to back, tens of microseconds apart) starts without waking anybody; that wake-up, paid twice
 * per region by a fork-join pool, made two threads slower than one.
 *
 * <p>Chunks are taken dynamically, so which thread runs a chunk varies; callers make every chunk's
 * result independent of that (see {@link Parallelism}). A region started from inside a region, or
 * while another thread's region runs, runs on its caller alone.
 *
 * <p>Tuning knob: system property {@code convnet.spin-micros} (default 100): how long an idle helper,
 * or a caller waiting for the last chunks, spins before it parks.
 */
final class Team implements AutoCloseable {

    private static final long SPIN_NANOS = Long.getLong("convnet.spin-micros", 100) * 1_000;
    /** True on helper threads, and on a caller while its region runs: a nested region runs inline. */
    private static final ThreadLocal<boolean[]> INSIDE = ThreadLocal.withInitial(() -> new boolean[1]);

    /** One region: chunks {@code [0, chunks)} of {@code body}. */
    private static final class Region {
        final long sequence;
        final int chunks;
        final IntConsumer body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;
        volatile Thread waiter;

        Region(long sequence, int chunks, IntConsumer body) {
            this.sequence = sequence;
            this.chunks = chunks;
            this.body = body;
        }

        /** Takes chunks until none is left; wakes a parked waiter when this thread finishes the last one. */
        void work() {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                try {
                    body.accept(c);
                } catch (Throwable t) {
                    failure = t;
                }
                if (done.incrementAndGet() == chunks) {
                    Thread w = waiter;
                    if (w != null) {
                        LockSupport.unpark(w);
                    }
                }
            }
        }

        boolean finished() {
            return done.get() == chunks;
        }
    }

    private final Thread[] helpers;
    /** Per helper, 1 while it parks (or is about to): the caller unparks only those. */
    private final AtomicIntegerArray parked;
    private final ReentrantLock running = new ReentrantLock();
    private volatile Region region = new Region(0, 0, c -> { });
    private volatile boolean closed;

    Team(int size) {
        helpers = new Thread[size - 1];
        parked = new AtomicIntegerArray(size - 1);
        for (int i = 0; i < helpers.length; i++) {
            int index = i;
            helpers[i] = Thread.ofPlatform().daemon().name("convnet-" + (i + 1) + "-of-" + size).start(() -> help(index));
        }
    }

    int size() {
        return helpers.length + 1;
    }

    /** Runs {@code body} for every chunk in {@code [0, chunks)}, on this thread and the helpers; returns when all are done. */
    void run(int chunks, IntConsumer body) {
        boolean[] inside = INSIDE.get();
        if (inside[0] || helpers.length == 0 || !running.tryLock()) {
            for (int c = 0; c < chunks; c++) {
                body.accept(c);
            }
            return;
        }
        inside[0] = true;
        try {
            Region r = new Region(region.sequence + 1, chunks, body);
            region = r;
            for (int i = 0; i < helpers.length; i++) {
                if (parked.get(i) == 1) {
                    LockSupport.unpark(helpers[i]);
                }
            }
            r.work();
            await(r);
            if (r.failure instanceof RuntimeException e) {
                throw e;
            }
            if (r.failure instanceof Error e) {
                throw e;
            }
            if (r.failure != null) {
                throw new IllegalStateException("a parallel region failed", r.failure);
            }
        } finally {
            inside[0] = false;
            running.unlock();
        }
    }

    /** The caller, out of chunks, waits for the helpers' last ones: spins, then parks until the last finisher wakes it. */
    private static void await(Region r) {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (!r.finished()) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                r.waiter = Thread.currentThread();
                if (!r.finished()) {
                    LockSupport.park(r);
                }
            }
        }
    }

    private void help(int index) {
        INSIDE.get()[0] = true;
        long seen = 0;
        while (!closed) {
            Region r = region;
            if (r.sequence != seen) {
                seen = r.sequence;
                r.work();
                continue;
            }
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (region.sequence == seen && !closed && System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            }
            if (region.sequence == seen && !closed) {
                // Published before the check, read by the caller after it publishes a region: one of
                // the two sees the other, so a region is never left without its helper.
                parked.set(index, 1);
                if (region.sequence == seen && !closed) {
                    LockSupport.park(this);
                }
                parked.set(index, 0);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread helper : helpers) {
            LockSupport.unpark(helper);
        }
    }
}
