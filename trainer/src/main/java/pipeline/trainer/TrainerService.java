package pipeline.trainer;

import java.io.IOException;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.convnet.kernel.Parallelism;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.KafkaAccessException;
import pipeline.schemas.topics.Topics;

/**
 * The trainer's two parts running together: the feedback topology (Kafka Streams, exactly once) and
 * the training loop on a thread of its own, after a cold start when no version is promoted.
 */
public final class TrainerService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);

    private final SchemaRegistryClient registry;
    private final ModelLineage lineage;
    private final VersionPublisher publisher;
    private final TrainingLoop loop;
    private final Thread loopThread;
    private final KafkaStreams streams;
    private volatile String topologyFailure;

    private TrainerService(TrainerSettings settings) throws IOException {
        Parallelism.setThreads(settings.threads());
        registry = new SchemaRegistryClient(settings.registry());
        // The publisher first: it fences a previous trainer and aborts its open transaction, so the
        // lineage read next sees every version that trainer completed and none it did not.
        publisher = new VersionPublisher(settings.kafka(), registry, settings.transactionalId());
        lineage = new ModelLineage(settings.kafka(), registry, settings.modelName());
        lineage.catchUp();
        ColdStart.ensurePromoted(settings, lineage, publisher);
        loop = new TrainingLoop(settings, registry, lineage, publisher);
        streams = new KafkaStreams(FeedbackTopology.build(registry, settings.scope(), settings.feedbackWindow(), settings.accuracyWindow(),
                (topic, refusal) -> loop.metrics().refusedRecord(topic, refusal.code())), streamsConfig(settings));
        streams.setUncaughtExceptionHandler(e -> {
            KafkaAccessException refusal = KafkaAccessException.behind("trainer", e).orElse(null);
            if (refusal == null) {
                LOG.error("The feedback topology failed; replacing its thread", e);
                return StreamThreadExceptionResponse.REPLACE_THREAD;
            }
            // A new thread would be refused too: the trainer stops, saying what to grant.
            topologyFailure = "the feedback topology stopped: " + refusal.getMessage();
            LOG.error("The trainer stops: {}", topologyFailure);
            loop.stop();
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
        loopThread = Thread.ofPlatform().name("training-loop").start(loop);
    }

    /** Starts the trainer: fails with a message naming the cause when the model to start from cannot be had. */
    public static TrainerService start(TrainerSettings settings) throws IOException {
        return new TrainerService(settings);
    }

    public boolean ready() {
        return loop.ready() && streams.state() == KafkaStreams.State.RUNNING;
    }

    /** Why the trainer is not ready, or {@code null} when it is. */
    public String notReadyBecause() {
        if (topologyFailure != null) {
            return topologyFailure;
        }
        if (loop.failure() != null) {
            return "the training loop failed: " + loop.failure();
        }
        if (!loop.ready()) {
            return "the training loop has not started reading labels";
        }
        return streams.state() == KafkaStreams.State.RUNNING ? null : "the feedback topology is " + streams.state();
    }

    /** Waits until the training loop ends: after {@link #close}, or on its own when it fails. */
    public void awaitLoopEnd() throws InterruptedException {
        loopThread.join();
    }

    /** Why the training loop ended on its own (or was ended by the topology's failure), or {@code null}. */
    public String failure() {
        return topologyFailure != null ? topologyFailure : loop.failure();
    }

    public TrainerMetrics metrics() {
        return loop.metrics();
    }

    /** Stops the loop (a round in progress is cancelled, nothing of it published) and the topology. */
    @Override
    public void close() {
        loop.stop();
        try {
            loopThread.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        streams.close(Duration.ofSeconds(30));
        lineage.close();
        publisher.close();
        registry.close();
    }

    private static Properties streamsConfig(TrainerSettings settings) {
        Properties p = new Properties();
        p.putAll(settings.kafka().clientConfig());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.streamsApplicationId());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        p.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().toAbsolutePath().toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), (int) ActiveTrainerLock.SESSION.toMillis());
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), Topics.MAX_IMAGE_RECORD_BYTES + (1 << 20));
        return p;
    }
}
