package pipeline.worker;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import pipeline.config.ClusterSettings;
import pipeline.config.Setting;
import pipeline.config.Settings;
import pipeline.config.ValueType;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.topics.KafkaAccess;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.Topics;

/**
 * The worker's settings ({@code worker.*}, {@code kafka.*}, {@code registry.*}; environment
 * {@code PIPELINE_WORKER_…} and so on).
 *
 * @param maxBatch  most images per batch
 * @param maxDelay  longest a batch waits after its first image arrived
 * @param topK      classes per prediction
 * @param maxPixels largest image accepted, width·height, checked before decoding
 * @param threads   inference loops in this process, each with its own consumer and producer
 * @param sessionTimeout     how soon the group notices a dead worker and hands its partitions on
 * @param transactionTimeout how soon the broker aborts a dead worker's open transaction
 * @param httpHost           where /health, /ready and /metrics listen
 * @param httpPort           their port; 0 for any free port
 * @param decodeThreads      threads per loop that read and decode a batch's records
 * @param transactionSpan    longest a transaction stays open taking further batches (what coalescing
 *                           commits may add to a prediction's latency)
 * @param modelName          the model this worker's group serves; empty for the one in {@code modelFile}
 * @param imagesTopic        the topic of that model's images
 */
public record WorkerSettings(KafkaConnection kafka, RegistryClientOptions registry, String groupId, String instanceId,
                             int maxBatch, Duration maxDelay, int topK, long maxPixels, Path modelFile, int threads,
                             Duration sessionTimeout, Duration transactionTimeout, String httpHost, int httpPort,
                             int decodeThreads, Duration transactionSpan, String modelName, String imagesTopic) {

    /** Settings for a PLAINTEXT cluster and a registry without credentials, with the default decode threads, transaction span, model and topic. */
    public WorkerSettings(String bootstrapServers, String registryUrl, String groupId, String instanceId,
                          int maxBatch, Duration maxDelay, int topK, long maxPixels, Path modelFile, int threads,
                          Duration sessionTimeout, Duration transactionTimeout, String httpHost, int httpPort) {
        this(KafkaConnection.plaintext(bootstrapServers), RegistryClientOptions.of(registryUrl), groupId, instanceId, maxBatch,
                maxDelay, topK, maxPixels, modelFile, threads, sessionTimeout, transactionTimeout, httpHost, httpPort,
                DECODE_THREADS.defaultValue(), TRANSACTION_SPAN.defaultValue(), MODEL_NAME.defaultValue(), IMAGES_TOPIC.defaultValue());
    }

    /**
     * What every transactional id of this worker group starts with, {@code inference-workers.}: one prefixed ACL lets
     * a group's workers write transactionally, whatever their instance ids.
     */
    public String transactionalIdPrefix() {
        return groupId + ".";
    }

    /** What the worker needs on a secured cluster, as {@code pipeline provision --acls} grants it. */
    public KafkaAccess access() {
        return new KafkaAccess("inference-worker", List.of(
                KafkaAccess.Grant.topic(AclOperation.READ, imagesTopic),
                KafkaAccess.Grant.topic(AclOperation.READ, Topics.MODELS.name()),
                KafkaAccess.Grant.topic(AclOperation.WRITE, Topics.PREDICTIONS.name()),
                KafkaAccess.Grant.topic(AclOperation.WRITE, Topics.IMAGES_DLQ.name()),
                KafkaAccess.Grant.group(AclOperation.READ, groupId),
                KafkaAccess.Grant.prefixed(ResourceType.TRANSACTIONAL_ID, AclOperation.WRITE, transactionalIdPrefix()),
                KafkaAccess.Grant.prefixed(ResourceType.TRANSACTIONAL_ID, AclOperation.DESCRIBE, transactionalIdPrefix())));
    }

    /** These settings serving {@code name} from {@code topic}. */
    public WorkerSettings serving(String name, String topic) {
        return new WorkerSettings(kafka, registry, groupId, instanceId, maxBatch, maxDelay, topK, maxPixels, modelFile,
                threads, sessionTimeout, transactionTimeout, httpHost, httpPort, decodeThreads, transactionSpan, name, topic);
    }

    static final Setting<String> GROUP = Setting.of("worker.group-id", ValueType.text(), "inference-workers",
            "consumer group the workers share the images partitions in");
    static final Setting<String> INSTANCE = Setting.of("worker.instance-id", ValueType.text(),
            defaultInstanceId(), "this worker's name, in dead letters and transactional ids (unique per worker)");
    static final Setting<Integer> MAX_BATCH = Setting.of("worker.max-batch", ValueType.integer(1, 4096), 32, "most images per batch");
    static final Setting<Duration> MAX_DELAY = Setting.of("worker.max-delay", ValueType.duration(), Duration.ofMillis(20),
            "longest a batch waits after its first image arrived");
    static final Setting<Integer> TOP_K = Setting.of("worker.top-k", ValueType.integer(1, 1000), 5, "classes per prediction");
    static final Setting<Integer> MAX_SIDE = Setting.of("worker.max-image-side", ValueType.integer(1, 65535), 4096,
            "largest accepted width and height, checked before decoding");
    static final Setting<Path> MODEL_FILE = Setting.of("worker.model-file", ValueType.path(), Path.of("models/fashion-lenet5.model"),
            "model to serve at start, until models holds a promoted version of it");
    static final Setting<String> MODEL_NAME = Setting.of("worker.model-name", ValueType.text(), "",
            "model the group serves (its promoted version on models); empty: the model file's");
    static final Setting<String> IMAGES_TOPIC = Setting.of("worker.images-topic", ValueType.text(), Topics.IMAGES.name(),
            "topic of the images for that model (one per model when several are served)");

    static final Setting<Integer> THREADS = Setting.of("worker.threads", ValueType.integer(1, 64), 1,
            "inference loops in this process");
    static final Setting<Duration> SESSION_TIMEOUT = Setting.of("worker.session-timeout", ValueType.duration(),
            Duration.ofSeconds(10), "how soon a dead worker's partitions move to another (6s to 5m)");
    static final Setting<Duration> TRANSACTION_TIMEOUT = Setting.of("worker.transaction-timeout", ValueType.duration(),
            Duration.ofSeconds(20), "how soon the broker aborts a dead worker's open transaction");

    static final Setting<Integer> DECODE_THREADS = Setting.of("worker.decode-threads", ValueType.integer(1, 64),
            Runtime.getRuntime().availableProcessors(), "threads per loop that read and decode a batch's records");
    static final Setting<Duration> TRANSACTION_SPAN = Setting.of("worker.transaction-span", ValueType.duration(),
            Duration.ofMillis(50), "longest a transaction stays open taking further batches under load");

    static final Setting<String> HTTP_HOST = Setting.of("worker.http-host", ValueType.text(), "127.0.0.1",
            "address of /health, /ready and /metrics");
    static final Setting<Integer> HTTP_PORT = Setting.of("worker.http-port", ValueType.port(), 9400,
            "port of /health, /ready and /metrics (0 = any free port)");

    /** Every setting this service reads. */
    public static final List<Setting<?>> ALL = ClusterSettings.plus(GROUP, INSTANCE, MAX_BATCH, MAX_DELAY, TOP_K, MAX_SIDE,
            MODEL_FILE, MODEL_NAME, IMAGES_TOPIC, THREADS, SESSION_TIMEOUT, TRANSACTION_TIMEOUT, DECODE_THREADS, TRANSACTION_SPAN,
            HTTP_HOST, HTTP_PORT);

    /**
     * {@code worker-HOST-PID}: unique on one machine by the process id, and across containers (where
     * every worker is process 1) by the host name, which is the container's.
     */
    private static String defaultInstanceId() {
        String host = System.getenv().getOrDefault("HOSTNAME", "");
        if (host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "unknown-host";
            }
        }
        return "worker-" + host + "-" + ProcessHandle.current().pid();
    }

    public static WorkerSettings from(Settings s) {
        long side = s.get(MAX_SIDE);
        return new WorkerSettings(KafkaConnection.from(s), RegistryClientOptions.from(s), s.get(GROUP), s.get(INSTANCE), s.get(MAX_BATCH),
                s.get(MAX_DELAY), s.get(TOP_K), side * side, s.get(MODEL_FILE), s.get(THREADS), s.get(SESSION_TIMEOUT),
                s.get(TRANSACTION_TIMEOUT), s.get(HTTP_HOST), s.get(HTTP_PORT), s.get(DECODE_THREADS), s.get(TRANSACTION_SPAN),
                s.get(MODEL_NAME).strip(), s.get(IMAGES_TOPIC).strip());
    }
}
