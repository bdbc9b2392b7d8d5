package pipeline.worker;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits a batch's transaction (its outputs and its consumed offsets) on a thread of its own, so
 * that the loop infers batch k+1 while batch k is being serialised, sent and committed. At most one
 * transaction is in flight: the loop {@linkplain #await() awaits} batch k before it submits k+1, so
 * outputs keep their order and a failed batch is known before anything after it commits.
 *
 * <p>Owned by one loop thread; the producer is used only by the commit thread.
 */
final class BatchCommitter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BatchCommitter.class);

    private final KafkaProducer<String, SpecificRecord> producer;
    private final WorkerMetrics metrics;
    private final ExecutorService thread;
    private InFlight inFlight;

    /** The batch being committed: the partitions it read and the commit's outcome. */
    private record InFlight(Set<TopicPartition> partitions, Future<?> outcome) {
    }

    BatchCommitter(KafkaProducer<String, SpecificRecord> producer, WorkerMetrics metrics, String name) {
        this.producer = producer;
        this.metrics = metrics;
        this.thread = Executors.newSingleThreadExecutor(Thread.ofPlatform().name(name + "-commit").daemon().factory());
    }

    /**
     * Starts committing {@code outputs} with {@code offsets} in one transaction. The previous batch
     * must have been awaited.
     */
    void submit(List<ProducerRecord<String, SpecificRecord>> outputs, Map<TopicPartition, OffsetAndMetadata> offsets,
                ConsumerGroupMetadata group) {
        if (inFlight != null) {
            throw new IllegalStateException("a batch is still being committed; await() it before submitting the next");
        }
        inFlight = new InFlight(Set.copyOf(offsets.keySet()), thread.submit(() -> commit(outputs, offsets, group)));
    }

    /**
     * Waits until the batch in flight, if any, is committed or aborted.
     *
     * @return the partitions of an aborted batch, to be read again from their committed offsets;
     *         empty when it committed or nothing was in flight
     * @throws ProducerFencedException when another instance took this transactional id over
     */
    Set<TopicPartition> await() {
        if (inFlight == null) {
            return Set.of();
        }
        InFlight waited = inFlight;
        inFlight = null;
        long waiting = System.nanoTime();
        try {
            waitUninterruptibly(waited.outcome());
            return Set.of();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ProducerFencedException fenced) {
                throw fenced;
            }
            LOG.warn("Batch from {} not committed ({}); reading it again", waited.partitions(), e.getCause().toString());
            return waited.partitions();
        } finally {
            metrics.stage("commit", System.nanoTime() - waiting);
        }
    }

    private void commit(List<ProducerRecord<String, SpecificRecord>> outputs, Map<TopicPartition, OffsetAndMetadata> offsets,
                        ConsumerGroupMetadata group) {
        long start = System.nanoTime();
        try {
            producer.beginTransaction();
            outputs.forEach(producer::send);
            producer.sendOffsetsToTransaction(offsets, group);
            producer.commitTransaction();
            metrics.transaction(System.nanoTime() - start);
        } catch (ProducerFencedException e) {
            throw e;
        } catch (KafkaException e) {
            producer.abortTransaction();
            throw e;
        }
    }

    /** A commit that was started finishes whatever the loop is told, so its outcome is always known. */
    private static void waitUninterruptibly(Future<?> outcome) throws ExecutionException {
        boolean interrupted = false;
        while (true) {
            try {
                outcome.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Awaits the batch in flight and stops the commit thread; the producer stays open. */
    @Override
    public void close() {
        try {
            await();
        } finally {
            thread.shutdown();
        }
    }
}
