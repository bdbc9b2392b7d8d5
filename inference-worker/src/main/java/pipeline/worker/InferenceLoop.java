package pipeline.worker;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.images.ImageProbe;
import pipeline.modelstore.ModelSnapshot;
import pipeline.schemas.avro.ImageEvent;
import pipeline.schemas.intake.RecordIntake;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroSerializer;
import pipeline.schemas.serde.SerdeOptions;
import pipeline.schemas.topics.KafkaClients;
import pipeline.schemas.topics.Topics;

/**
 * One worker thread's Kafka side: poll {@code images}, gather batches, hand each to the
 * {@link BatchInference} (one {@code predictions} or {@code images.dlq} record per image) and its
 * outputs with its consumed offsets to the {@link BatchCommitter}, which commits them in Kafka
 * transactions; read again from the committed offsets what was not committed. A crash at any point
 * leaves each batch either committed whole or not at all, so every image ends with exactly one
 * outcome for {@code read_committed} readers.
 */
public final class InferenceLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(InferenceLoop.class);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    private static final long LAG_READ_INTERVAL_NANOS = 1_000_000_000L;

    private final WorkerSettings settings;
    private final SchemaRegistryClient registry;
    private final AtomicReference<ModelSnapshot> model;
    /** This loop in dead letters and logs: the worker's instance id and the loop's number, {@code worker-a-0}. */
    private final String name;
    /** Its producer's transactional id: {@link #name} under the group's prefix, which the group's ACLs name. */
    private final String transactionalId;
    private final DecodePool decoders;
    private final BatchAssembler<ConsumerRecord<String, byte[]>> batches;
    private final WorkerMetrics metrics;
    private final StopSignal stop = new StopSignal();
    /** Partitions whose uncommitted records are to be read again from their committed offsets before anything else commits. */
    private final Set<TopicPartition> toReread = new HashSet<>();
    private BatchCommitter committer;
    private volatile boolean assigned;
    private volatile String failure;
    private volatile double lag;
    private long lagReadAt;

    public InferenceLoop(WorkerSettings settings, SchemaRegistryClient registry, AtomicReference<ModelSnapshot> model,
                         int threadIndex, WorkerMetrics metrics) {
        this.metrics = metrics;
        this.settings = settings;
        this.registry = registry;
        this.model = model;
        this.name = settings.instanceId() + "-" + threadIndex;
        this.transactionalId = settings.transactionalIdPrefix() + name;
        this.decoders = new DecodePool(settings.decodeThreads());
        this.batches = new BatchAssembler<>(settings.maxBatch(), settings.maxDelay());
    }

    /** Whether the consumer has joined its group (its assignment may be empty when workers outnumber partitions). */
    public boolean isAssigned() {
        return assigned;
    }

    /** Why the last batch failed, while the loop retries it; {@code null} when batches go through. */
    public String failure() {
        return failure;
    }

    /** The most records this loop's partitions are behind, as the consumer last measured. */
    public double lag() {
        return lag;
    }

    /** Asks the loop to finish its current batch, commit and leave the group. */
    public void stop() {
        stop.stop();
    }

    @Override
    public void run() {
        BatchInference inference = new BatchInference(RecordIntake.of(ImageEvent.class, registry), new ImageProbe(settings.maxPixels()),
                new Predictor(settings.topK()), decoders, metrics, name);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerConfig(), new StringDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(producerConfig(), new StringSerializer(),
                     new AvroSerializer<>(registry, SerdeOptions.DEFAULTS, false))) {
            stop.watch(c);
            producer.initTransactions();
            try (BatchCommitter committer = new BatchCommitter(producer, metrics, transactionalId, settings.transactionSpan())) {
                this.committer = committer;
                c.subscribe(Set.of(settings.imagesTopic()), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        // The batches in flight commit (or abort) before the partitions move; what is
                        // still waiting was not committed, so their next owner reads it again. Aborted
                        // batches on partitions this loop keeps are read again before the next batch.
                        toReread.addAll(committer.await());
                        toReread.removeAll(partitions);
                        batches.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        assigned = true;
                    }
                });
                serve(c, inference);
            }
        } catch (ProducerFencedException e) {
            LOG.warn("Worker {} was fenced: another instance with its transactional id took over", transactionalId);
        } finally {
            decoders.close();
        }
    }

    /** Polls, batches, infers and hands batches to the committer until stopped. */
    private void serve(KafkaConsumer<String, byte[]> c, BatchInference inference) {
        while (stop.running()) {
            if (!toReread.isEmpty() && !rewound(c)) {
                continue;
            }
            try {
                Duration wait = batches.untilDue(System.nanoTime());
                long polling = System.nanoTime();
                var polled = c.poll(wait.isZero() ? Duration.ofMillis(1) : wait);
                metrics.stage("poll", System.nanoTime() - polling);
                for (ConsumerRecord<String, byte[]> record : polled) {
                    batches.add(record, System.nanoTime());
                }
                if (System.nanoTime() - lagReadAt > LAG_READ_INTERVAL_NANOS) {
                    // The consumer's metrics map is large; a gauge needs no fresher value than this.
                    lag = recordsLagMax(c);
                    lagReadAt = System.nanoTime();
                }
            } catch (WakeupException e) {
                // stop() was called: finish what is waiting below, then leave.
            }
            while (batches.isDue(System.nanoTime()) || (!stop.running() && batches.waiting() > 0)) {
                List<ConsumerRecord<String, byte[]>> batch = batches.take();
                try {
                    commit(c, batch, inference.process(model.get(), batch));
                    failure = null;
                } catch (ProducerFencedException e) {
                    throw e;
                } catch (RuntimeException e) {
                    retryLater(batch, e);
                    break;
                }
            }
        }
    }

    /**
     * Hands the batch to the committer; when an earlier batch was aborted, this batch (read after it)
     * is dropped too and both are read again.
     */
    private void commit(KafkaConsumer<String, byte[]> consumer, List<ConsumerRecord<String, byte[]>> batch,
                        List<ProducerRecord<String, SpecificRecord>> out) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : batch) {
            offsets.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        if (committer.failed()) {
            toReread.addAll(offsets.keySet());
            rewind(consumer);
        } else {
            committer.submit(out, offsets, consumer.groupMetadata());
        }
    }

    /**
     * A batch failed for a reason other than its images (those go to the dead-letter queue): nothing
     * of it was committed, so read it again after a pause, and report not-ready meanwhile.
     */
    private void retryLater(List<ConsumerRecord<String, byte[]>> batch, RuntimeException cause) {
        failure = cause.toString();
        batch.forEach(r -> toReread.add(new TopicPartition(r.topic(), r.partition())));
        LOG.error("Batch of {} images from {} failed; reading it again in {} ms", batch.size(), toReread,
                RETRY_PAUSE.toMillis(), cause);
        pause();
    }

    /**
     * Reads the pending partitions again; on failure (no committed offsets in time) keeps them pending
     * and pauses, so nothing is polled or committed past records that were not committed.
     */
    private boolean rewound(KafkaConsumer<String, byte[]> consumer) {
        try {
            rewind(consumer);
            return true;
        } catch (WakeupException e) {
            return false;
        } catch (KafkaException e) {
            failure = e.toString();
            LOG.warn("Cannot go back to the committed offsets of {} ({}); trying again in {} ms", toReread, e,
                    RETRY_PAUSE.toMillis());
            pause();
            return false;
        }
    }

    /**
     * Back to the last committed offsets of the partitions {@link #toReread} (and of an aborted batch in
     * flight), so their uncommitted records are read and processed again. The partitions stay pending
     * until the seek is done.
     */
    private void rewind(KafkaConsumer<String, byte[]> consumer) {
        toReread.addAll(committer.await());
        toReread.retainAll(consumer.assignment());
        batches.removeIf(r -> toReread.contains(new TopicPartition(r.topic(), r.partition())));
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(toReread);
        for (TopicPartition partition : toReread) {
            OffsetAndMetadata at = committed.get(partition);
            if (at == null) {
                consumer.seekToBeginning(Set.of(partition));
            } else {
                consumer.seek(partition, at.offset());
            }
        }
        toReread.clear();
    }

    private void pause() {
        try {
            Thread.sleep(RETRY_PAUSE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
        }
    }

    private static double recordsLagMax(KafkaConsumer<String, byte[]> consumer) {
        for (Map.Entry<MetricName, ? extends Metric> metric : consumer.metrics().entrySet()) {
            MetricName name = metric.getKey();
            if (name.name().equals("records-lag-max") && !name.tags().containsKey("partition")) {
                Object value = metric.getValue().metricValue();
                return value instanceof Double d && !d.isNaN() ? d : 0;
            }
        }
        return 0;
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = KafkaClients.committedReader(settings.kafka(), transactionalId);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxBatch());
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) settings.sessionTimeout().toMillis());
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(500, settings.sessionTimeout().toMillis() / 4));
        return config;
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> config = KafkaClients.transactionalProducer(settings.kafka(), transactionalId);
        // Outputs of a batch spread over the partitions; a few milliseconds gather each partition's share of
        // the batches that share a transaction into fewer, larger requests (the broker's cost is per request).
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_IMAGE_RECORD_BYTES + (1 << 20));
        config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) settings.transactionTimeout().toMillis());
        return config;
    }
}
