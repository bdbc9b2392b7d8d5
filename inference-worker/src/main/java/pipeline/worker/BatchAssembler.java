package pipeline.worker;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;

/**
 * Gathers arriving items into batches: a batch is due when it holds {@code maxBatch} items, or
 * {@code maxDelay} after its <em>first</em> item arrived, whichever comes first, so a lone item
 * never waits longer than {@code maxDelay}. Items beyond a full batch wait for the next one,
 * keeping their own arrival times. Time is passed in (nanoseconds), never read here.
 */
public final class BatchAssembler<T> {

    private record Arrival<T>(T item, long nanos) {}

    private final int maxBatch;
    private final long maxDelayNanos;
    private final Deque<Arrival<T>> waiting = new ArrayDeque<>();

    public BatchAssembler(int maxBatch, Duration maxDelay) {
        if (maxBatch < 1 || maxDelay.isNegative()) {
            throw new IllegalArgumentException("max batch must be 1 or more and max delay 0 or more; got "
                    + maxBatch + " and " + maxDelay);
        }
        this.maxBatch = maxBatch;
        this.maxDelayNanos = maxDelay.toNanos();
    }

    public void add(T item, long nowNanos) {
        waiting.addLast(new Arrival<>(item, nowNanos));
    }

    public int waiting() {
        return waiting.size();
    }

    /** Whether a batch should be taken now. */
    public boolean isDue(long nowNanos) {
        return waiting.size() >= maxBatch || (!waiting.isEmpty() && nowNanos - waiting.peekFirst().nanos() >= maxDelayNanos);
    }

    /** How long until a batch is due: 0 when it is, {@code maxDelay} when nothing waits. */
    public Duration untilDue(long nowNanos) {
        if (waiting.isEmpty()) {
            return Duration.ofNanos(maxDelayNanos);
        }
        return isDue(nowNanos) ? Duration.ZERO : Duration.ofNanos(maxDelayNanos - (nowNanos - waiting.peekFirst().nanos()));
    }

    /** Drops waiting items that match, e.g. those of partitions this worker no longer owns. */
    public void removeIf(Predicate<T> filter) {
        waiting.removeIf(arrival -> filter.test(arrival.item()));
    }

    /** The oldest items, at most {@code maxBatch}, in arrival order. */
    public List<T> take() {
        List<T> batch = new ArrayList<>(Math.min(maxBatch, waiting.size()));
        while (!waiting.isEmpty() && batch.size() < maxBatch) {
            batch.add(waiting.pollFirst().item());
        }
        return batch;
    }
}
