package pipeline.worker;

import java.awt.image.BufferedImage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import pipeline.convnet.data.ImageProbe;
import pipeline.convnet.kernel.Parallelism;
import pipeline.modelstore.ModelSnapshot;
import pipeline.schemas.avro.ImageEvent;
import pipeline.schemas.avro.ModelRef;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.avro.ScoredLabel;
import pipeline.schemas.avro.Timings;
import pipeline.schemas.intake.Intake;
import pipeline.schemas.intake.Refusal;
import pipeline.schemas.intake.RecordIntake;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroSerializer;
import pipeline.schemas.serde.SerdeOptions;
import pipeline.schemas.topics.DeadLetters;
import pipeline.schemas.topics.Topics;

/**
 * One worker thread: consume {@code images}, decode, batch, infer, and produce one
 * {@code predictions} record per image (or one {@code images.dlq} record per bad one), committing
 * the batch's outputs and its consumed offsets in one Kafka transaction. A crash at any point
 * leaves either the whole batch committed or none of it, so every image ends with exactly one
 * outcome for {@code read_committed} readers.
 */
public final class InferenceLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(InferenceLoop.class);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    private static final long LAG_READ_INTERVAL_NANOS = 1_000_000_000L;

    private final WorkerSettings settings;
    private final SchemaRegistryClient registry;
    private final AtomicReference<ModelSnapshot> model;
    private final String transactionalId;
    private final ImageProbe probe;
    private final Predictor predictor;
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
        this.transactionalId = settings.instanceId() + "-" + threadIndex;
        this.probe = new ImageProbe(settings.maxPixels());
        this.predictor = new Predictor(settings.topK());
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
        RecordIntake<ImageEvent> images = RecordIntake.of(ImageEvent.class, registry);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerConfig(), new StringDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(producerConfig(), new StringSerializer(),
                     new AvroSerializer<>(registry, SerdeOptions.DEFAULTS, false));
             BatchCommitter committer = new BatchCommitter(producer, metrics, transactionalId)) {
            this.committer = committer;
            stop.watch(c);
            producer.initTransactions();
            c.subscribe(Set.of(Topics.IMAGES.name()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    // The batch in flight commits (or aborts) before the partitions move; what is
                    // still waiting was not committed, so their next owner reads it again. An aborted
                    // batch on partitions this loop keeps is read again before the next batch.
                    toReread.addAll(committer.await());
                    toReread.removeAll(partitions);
                    batches.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    assigned = true;
                }
            });
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
                        processBatch(c, images, batch);
                        failure = null;
                    } catch (ProducerFencedException e) {
                        throw e;
                    } catch (RuntimeException e) {
                        retryLater(batch, e);
                        break;
                    }
                }
            }
        } catch (ProducerFencedException e) {
            LOG.warn("Worker {} was fenced: another instance with its transactional id took over", transactionalId);
        }
    }

    private void processBatch(KafkaConsumer<String, byte[]> consumer, RecordIntake<ImageEvent> images,
                              List<ConsumerRecord<String, byte[]>> batch) {
        ModelSnapshot snapshot = model.get();
        long batchStart = System.currentTimeMillis();
        List<ProducerRecord<String, SpecificRecord>> out = new ArrayList<>();
        List<ImageEvent> events = new ArrayList<>();
        List<BufferedImage> decoded = new ArrayList<>();
        long decoding = System.nanoTime();
        // Avro first, in order, on this thread; then the images, in parallel: decoding is the costly part.
        List<ImageEvent> read = new ArrayList<>();
        List<ConsumerRecord<String, byte[]>> readFrom = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : batch) {
            switch (images.read(record)) {
                case Intake.Accepted<ImageEvent>(ImageEvent event) -> {
                    read.add(event);
                    readFrom.add(record);
                }
                case Intake.Refused<ImageEvent>(Refusal refusal) -> out.add(refused(record, refusal));
            }
        }
        Decoded[] results = new Decoded[read.size()];
        Parallelism.forRange(read.size(), 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                results[i] = decode(read.get(i));
            }
        });
        for (int i = 0; i < results.length; i++) {
            if (results[i].refusal() == null) {
                decoded.add(results[i].image());
                events.add(read.get(i));
            } else {
                ImageProbe.RejectedImage e = results[i].refusal();
                out.add(deadLetter(readFrom.get(i), e.reason().name(), "image " + read.get(i).getId() + ": " + e.getMessage()));
            }
        }
        metrics.stage("decode", System.nanoTime() - decoding);
        if (!decoded.isEmpty()) {
            Predictor.BatchPrediction result = predictor.predict(snapshot, decoded);
            metrics.stage("inference", result.inferenceMicros() * 1000);
            metrics.batch(decoded.size(), result.inferenceMicros());
            events.forEach(e -> metrics.queued(Math.max(0, batchStart - e.getTimestamp().toEpochMilli())));
            for (int i = 0; i < events.size(); i++) {
                out.add(new ProducerRecord<>(Topics.PREDICTIONS.name(), events.get(i).getId(),
                        prediction(events.get(i), result.images().get(i), snapshot, batchStart, result.inferenceMicros(), decoded.size())));
            }
        }
        commit(consumer, batch, out);
    }

    /** An image decoded, or why it was refused. */
    private record Decoded(BufferedImage image, ImageProbe.RejectedImage refusal) {
    }

    private Decoded decode(ImageEvent event) {
        byte[] bytes = new byte[event.getImage().remaining()];
        event.getImage().duplicate().get(bytes);
        try {
            return new Decoded(probe.decode(bytes), null);
        } catch (ImageProbe.RejectedImage e) {
            return new Decoded(null, e);
        }
    }

    /**
     * Hands the batch to the committer once the previous one is committed; when that one was aborted,
     * this batch (read after it) is dropped too and both are read again.
     */
    private void commit(KafkaConsumer<String, byte[]> consumer, List<ConsumerRecord<String, byte[]>> batch,
                        List<ProducerRecord<String, SpecificRecord>> out) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : batch) {
            offsets.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        toReread.addAll(committer.await());
        if (toReread.isEmpty()) {
            committer.submit(out, offsets, consumer.groupMetadata());
        } else {
            toReread.addAll(offsets.keySet());
            rewind(consumer);
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

    private Prediction prediction(ImageEvent event, Predictor.ImagePrediction answer, ModelSnapshot snapshot,
                                  long batchStart, long inferenceMicros, int batchSize) {
        List<ScoredLabel> top = answer.topK().stream().map(s -> new ScoredLabel(s.label(), s.probability())).toList();
        List<Float> embedding = new ArrayList<>(answer.embedding().length);
        for (float v : answer.embedding()) {
            embedding.add(v);
        }
        return Prediction.newBuilder()
                .setImageId(event.getId())
                .setSource(event.getSource())
                .setModel(new ModelRef(snapshot.name(), snapshot.version()))
                .setTopK(top)
                .setEmbedding(embedding)
                .setTimings(new Timings(Math.max(0, batchStart - event.getTimestamp().toEpochMilli()), inferenceMicros, batchSize))
                .setTimestamp(Instant.now())
                .setAttributes(event.getAttributes())
                .build();
    }

    /** The intake has logged why; counted among the dead letters by its code. */
    private ProducerRecord<String, SpecificRecord> refused(ConsumerRecord<String, byte[]> record, Refusal refusal) {
        metrics.deadLetter(refusal.code());
        return DeadLetters.of(record, refusal.code(), refusal.message(), transactionalId);
    }

    private ProducerRecord<String, SpecificRecord> deadLetter(ConsumerRecord<String, byte[]> record, String code, String message) {
        LOG.info("Dead letter {}/{}@{} ({}): {}", record.topic(), record.partition(), record.offset(), code, message);
        metrics.deadLetter(code);
        return DeadLetters.of(record, code, message, transactionalId);
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
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxBatch());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, transactionalId);
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) settings.sessionTimeout().toMillis());
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(500, settings.sessionTimeout().toMillis() / 4));
        return config;
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_IMAGE_RECORD_BYTES + (1 << 20));
        config.put(ProducerConfig.CLIENT_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) settings.transactionTimeout().toMillis());
        return config;
    }
}
