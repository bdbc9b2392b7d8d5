package pipeline.worker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.modelstore.ModelRecords;
import pipeline.modelstore.ModelRefusedException;
import pipeline.modelstore.ModelSnapshot;
import pipeline.modelstore.ServedModel;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.intake.Intake;
import pipeline.schemas.intake.RecordIntake;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.Topics;

/**
 * Follows {@code models} and swaps the served snapshot when a new version is promoted, by the rule
 * every service shares ({@link ServedModel}: the most recent PROMOTED record of the served model's
 * name that verifies, so republishing an older version rolls back). A version that fails
 * verification is refused, logged and counted, and the current snapshot keeps serving; so is a
 * record that is not a model version at all (see {@link RecordIntake}). Reads the topic from the start
 * without a consumer group, as every worker needs the whole history.
 */
public final class ModelFollower implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelFollower.class);

    private final KafkaConnection kafka;
    private final SchemaRegistryClient registry;
    private final AtomicReference<ModelSnapshot> served;
    private final String modelName;
    /** The rule that decides what serves; from the snapshot serving when the follower starts. */
    private ServedModel model;
    private final AtomicLong refused = new AtomicLong();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    /** Open once a version serves. */
    private final CountDownLatch serving = new CountDownLatch(1);
    private final StopSignal stop = new StopSignal();

    /** Follows the model serving in {@code served}. */
    public ModelFollower(KafkaConnection kafka, SchemaRegistryClient registry, AtomicReference<ModelSnapshot> served) {
        this(kafka, registry, served, null);
    }

    /**
     * Follows {@code modelName}: the model serving in {@code served} or, when that is empty, the first
     * promoted version of the name ({@code null}: of any name) that verifies.
     */
    public ModelFollower(KafkaConnection kafka, SchemaRegistryClient registry, AtomicReference<ModelSnapshot> served,
                         String modelName) {
        this.kafka = kafka;
        this.registry = registry;
        this.served = served;
        this.modelName = modelName;
    }

    /**
     * Waits until the follower has read everything {@code models} held when it started, so the
     * snapshot serving is the latest promoted version. Returns false if {@code timeout} passed first.
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits up to {@code timeout} for a version to serve, when the follower started without one. */
    public void awaitServing(Duration timeout) throws InterruptedException {
        serving.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Versions refused since start. */
    public long refusedVersions() {
        return refused.get();
    }

    public void stop() {
        stop.stop();
    }

    @Override
    public void run() {
        model = served.get() != null || modelName == null ? ServedModel.from(served.get()) : ServedModel.named(modelName);
        Map<String, Object> config = ModelRecords.readerConfig(kafka);
        RecordIntake<ModelVersion> versions = RecordIntake.of(ModelVersion.class, registry);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            stop.watch(c);
            List<TopicPartition> partitions = c.partitionsFor(Topics.MODELS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            while (stop.running()) {
                versions.readAll(c, c.poll(Duration.ofMillis(500)), this::consider);
                if (caughtUp.getCount() > 0 && partitions.stream().allMatch(p -> c.position(p) >= end.get(p))) {
                    caughtUp.countDown();
                }
            }
        } catch (WakeupException e) {
            // stop() was called.
        }
    }

    private void consider(ConsumerRecord<String, byte[]> record, Intake<ModelVersion> read) {
        if (!(read instanceof Intake.Accepted<ModelVersion>(ModelVersion version))) {
            refused.incrementAndGet();
            return;
        }
        ModelSnapshot was = served.get();
        try {
            if (model.consider(version)) {
                served.set(model.snapshot());
                serving.countDown();
                LOG.info("Now serving {} v{} (was v{})", model.name(), model.snapshot().version(), was == null ? "none" : was.version());
            }
        } catch (ModelRefusedException e) {
            refused.incrementAndGet();
            LOG.warn("Refused {}; still serving v{}", e.getMessage(), was == null ? "none" : was.version());
        }
    }
}
