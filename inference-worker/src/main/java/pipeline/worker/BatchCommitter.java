package pipeline.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits batches' outputs and consumed offsets in Kafka transactions on a thread of its own, so the
 * loop infers the next batches meanwhile. A transaction takes every batch waiting when it starts and,
 * for at most {@code span}, those that arrive while it is open, then commits: under load (the last
 * transaction took several batches) it stays open the whole span, so several batches share one
 * transaction's round trips; when batches come slower than commits, each batch commits alone and at
 * once. Outputs are serialised and sent here, in submission order.
 *
 * <p>When a transaction fails, it is aborted and every batch submitted after it is dropped unsent
 * (their offsets would skip the aborted records), until the loop has {@linkplain #await() awaited}
 * them and taken the partitions to read again. Owned by one loop thread; the producer is used only by the commit thread.
 */
final class BatchCommitter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BatchCommitter.class);
    /** Batches submitted and not yet in a transaction: how far the loop may run ahead of the commits. */
    private static final int WAITING_BATCHES = 16;

    private final KafkaProducer<String, SpecificRecord> producer;
    private final WorkerMetrics metrics;
    private final long spanNanos;
    private final BlockingQueue<Batch> waiting = new ArrayBlockingQueue<>(WAITING_BATCHES);
    private final Thread thread;
    /** Guarded by {@code this}: batches submitted and not yet committed or dropped. */
    private int unfinished;
    /** Guarded by {@code this}: partitions of aborted and dropped batches, until the loop takes them. */
    private final Set<TopicPartition> failed = new HashSet<>();
    /** Guarded by {@code this}: set when another producer took the transactional id over. */
    private ProducerFencedException fenced;
    private volatile boolean closing;
    /**
     * Commit thread only: whether the last transaction took more than one batch. Batches then come
     * faster than transactions commit, and the next transaction stays open its whole span to take more,
     * spreading each commit's round trips over more images.
     */
    private boolean underLoad;

    /** One batch's outputs and the offsets after its records. */
    private record Batch(List<ProducerRecord<String, SpecificRecord>> outputs, Map<TopicPartition, OffsetAndMetadata> offsets,
                         ConsumerGroupMetadata group) {
    }

    /**
     * @param span longest a transaction stays open taking more batches, e.g. 100 ms: what coalescing may
     *             add to a prediction's latency
     */
    BatchCommitter(KafkaProducer<String, SpecificRecord> producer, WorkerMetrics metrics, String name, Duration span) {
        this.producer = producer;
        this.metrics = metrics;
        this.spanNanos = span.toNanos();
        this.thread = Thread.ofPlatform().name(name + "-commit").daemon().start(this::commitLoop);
    }

    /**
     * Hands a batch over to be committed, waiting while {@value #WAITING_BATCHES} batches wait already;
     * after a failure not yet {@linkplain #await() awaited}, drops it and counts its partitions as failed.
     *
     * @throws ProducerFencedException when another instance took this transactional id over
     */
    void submit(List<ProducerRecord<String, SpecificRecord>> outputs, Map<TopicPartition, OffsetAndMetadata> offsets,
                ConsumerGroupMetadata group) {
        long blocked = System.nanoTime();
        synchronized (this) {
            throwIfFenced();
            if (!failed.isEmpty()) {
                failed.addAll(offsets.keySet());
                return;
            }
            unfinished++;
        }
        putUninterruptibly(new Batch(outputs, offsets, group));
        metrics.stage("commit", System.nanoTime() - blocked);
    }

    /**
     * Whether a batch was aborted or dropped since the last {@link #await()}: then nothing more commits
     * until the loop has awaited the rest and taken the partitions to read again. Does not wait.
     */
    synchronized boolean failed() {
        throwIfFenced();
        return !failed.isEmpty();
    }

    /**
     * Waits until every submitted batch is committed or dropped (before partitions move, before seeking
     * back), then takes the partitions of those aborted or dropped, to be read again from their
     * committed offsets; empty when all committed. Batches submitted after this commit again.
     */
    Set<TopicPartition> await() {
        long waitingSince = System.nanoTime();
        boolean interrupted = false;
        synchronized (this) {
            while (unfinished > 0 && fenced == null) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        metrics.stage("commit", System.nanoTime() - waitingSince);
        synchronized (this) {
            throwIfFenced();
            Set<TopicPartition> taken = Set.copyOf(failed);
            failed.clear();
            return taken;
        }
    }

    private void commitLoop() {
        while (!closing || !waiting.isEmpty()) {
            Batch first;
            try {
                first = waiting.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue;
            }
            if (first != null) {
                commitFrom(first);
            }
        }
    }

    /**
     * One transaction: {@code first}, then whatever waits or arrives within the span; or, while a
     * failure is not yet awaited, {@code first} dropped (it was submitted before the loop knew).
     */
    private void commitFrom(Batch first) {
        synchronized (this) {
            if (!failed.isEmpty() || fenced != null) {
                finished(1, first.offsets().keySet());
                return;
            }
        }
        long start = System.nanoTime();
        // Counted as taken before anything can fail, so that a failure finishes it too (else await() waits forever).
        List<Batch> taken = new ArrayList<>(List.of(first));
        try {
            producer.beginTransaction();
            Batch next = first;
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            ConsumerGroupMetadata group = first.group();
            while (next != null) {
                next.outputs().forEach(producer::send);
                offsets.putAll(next.offsets());
                group = next.group();
                next = nextWithin(spanNanos - (System.nanoTime() - start));
                if (next != null) {
                    taken.add(next);
                }
            }
            underLoad = taken.size() > 1;
            producer.sendOffsetsToTransaction(offsets, group);
            producer.commitTransaction();
            metrics.transaction(System.nanoTime() - start);
            finished(taken.size(), Set.of());
        } catch (ProducerFencedException e) {
            LOG.warn("Transaction of {} batch(es) not committed: another instance took this transactional id over", taken.size());
            synchronized (this) {
                fenced = e;
                notifyAll();
            }
        } catch (RuntimeException e) {
            // A Kafka error, a record that would not serialise, or the producer in a state it cannot send
            // from: the batches are not committed, and are read again; the commit thread goes on.
            abort(taken, e);
        }
    }

    /**
     * The next batch for the open transaction, or {@code null} to commit it: under load, the first to
     * arrive within the {@code left} of the span; otherwise only one already waiting, so that a lone
     * batch commits at once.
     */
    private Batch nextWithin(long left) {
        if (left <= 0) {
            return null;
        }
        if (!underLoad) {
            return waiting.poll();
        }
        try {
            return waiting.poll(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            return null;
        }
    }

    /**
     * Aborts the transaction and drops the batches waiting behind it: all their partitions are read
     * again once the loop takes them.
     */
    private void abort(List<Batch> taken, RuntimeException cause) {
        try {
            producer.abortTransaction();
        } catch (RuntimeException e) {
            LOG.warn("Aborting the failed transaction failed too ({}); the broker aborts it on its timeout", e.toString());
        }
        List<Batch> dropped = new ArrayList<>(taken);
        waiting.drainTo(dropped);
        Set<TopicPartition> partitions = new HashSet<>();
        dropped.forEach(b -> partitions.addAll(b.offsets().keySet()));
        LOG.warn("Transaction of {} batch(es) from {} not committed ({}); {} batch(es) behind it dropped; reading them again",
                taken.size(), partitions, cause.toString(), dropped.size() - taken.size());
        finished(dropped.size(), partitions);
    }

    private synchronized void finished(int batches, Set<TopicPartition> failedPartitions) {
        unfinished -= batches;
        failed.addAll(failedPartitions);
        notifyAll();
    }

    private void throwIfFenced() {
        if (fenced != null) {
            throw fenced;
        }
    }

    private void putUninterruptibly(Batch batch) {
        boolean interrupted = false;
        while (true) {
            try {
                waiting.put(batch);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Commits what was submitted and stops the commit thread; the producer stays open. */
    @Override
    public void close() {
        try {
            await();
        } finally {
            closing = true;
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
