package pipeline.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AclOperation;
import pipeline.config.ClusterSettings;
import pipeline.config.Setting;
import pipeline.config.Settings;
import pipeline.config.ValueType;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.topics.KafkaAccess;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.Topics;

/**
 * The gateway's settings ({@code gateway.*}, {@code kafka.*}, {@code registry.*}; environment
 * {@code PIPELINE_GATEWAY_…} and so on).
 *
 * @param apiKeys        {@code KEY:SCOPE+SCOPE,…} (see {@link ApiKeys}); never logged
 * @param maxBodyBytes   largest request body accepted (413 beyond)
 * @param maxImageSide   largest width and height, read from the image header (422 beyond)
 * @param ratePerSecond  requests per second per key (429 beyond, with Retry-After)
 * @param burst          requests a key may send at once after a quiet spell
 * @param requestTimeout longest a request waits for Kafka before 503
 * @param maxWait        longest {@code POST /v1/images?wait=…} holds a request for its prediction
 * @param cacheSize      recent predictions kept for {@code GET /v1/predictions/{id}}
 * @param tlsKeystore    a PKCS#12 file with the server's certificate and key: HTTPS when set, plain HTTP when empty
 * @param tlsPassword    its password; never logged
 * @param routes         {@code MODEL=TOPIC,…}: where {@code POST /v1/images?model=MODEL} sends images (see {@link ImageRoutes})
 * @param newClasses     {@code refuse} labels of classes no served model has (422), or {@code accept} them
 * @param apiKeysFile    a file of further keys ({@link ApiKeyRing}), re-read while the gateway runs; empty for none
 */
public record GatewaySettings(KafkaConnection kafka, RegistryClientOptions registry, String host, int port, String apiKeys,
                              long maxBodyBytes, int maxImageSide, int ratePerSecond, int burst, Duration requestTimeout,
                              Duration maxWait, int cacheSize, String tlsKeystore, String tlsPassword, String routes,
                              NewClasses newClasses, String apiKeysFile) {

    /** What becomes of a label naming a class no served model has. */
    public enum NewClasses { REFUSE, ACCEPT }

    /** Settings for a PLAINTEXT cluster and a registry without credentials that send every image to {@code images}. */
    public GatewaySettings(String bootstrapServers, String registryUrl, String host, int port, String apiKeys,
                           long maxBodyBytes, int maxImageSide, int ratePerSecond, int burst, Duration requestTimeout,
                           Duration maxWait, int cacheSize, String tlsKeystore, String tlsPassword) {
        this(KafkaConnection.plaintext(bootstrapServers), RegistryClientOptions.of(registryUrl), host, port, apiKeys, maxBodyBytes,
                maxImageSide, ratePerSecond, burst, requestTimeout, maxWait, cacheSize, tlsKeystore, tlsPassword, ROUTES.defaultValue(),
                NEW_CLASSES.defaultValue(), API_KEYS_FILE.defaultValue());
    }

    /** These settings with {@code newRoutes}. */
    public GatewaySettings withRoutes(String newRoutes) {
        return new GatewaySettings(kafka, registry, host, port, apiKeys, maxBodyBytes, maxImageSide, ratePerSecond,
                burst, requestTimeout, maxWait, cacheSize, tlsKeystore, tlsPassword, newRoutes, newClasses, apiKeysFile);
    }

    /** These settings taking labels of new classes. */
    public GatewaySettings acceptingNewClasses() {
        return new GatewaySettings(kafka, registry, host, port, apiKeys, maxBodyBytes, maxImageSide, ratePerSecond,
                burst, requestTimeout, maxWait, cacheSize, tlsKeystore, tlsPassword, routes, NewClasses.ACCEPT, apiKeysFile);
    }

    /** These settings with the further keys of {@code file}, re-read while the gateway runs. */
    public GatewaySettings withApiKeysFile(String file) {
        return new GatewaySettings(kafka, registry, host, port, apiKeys, maxBodyBytes, maxImageSide, ratePerSecond,
                burst, requestTimeout, maxWait, cacheSize, tlsKeystore, tlsPassword, routes, newClasses, file);
    }

    boolean acceptNewClasses() {
        return newClasses == NewClasses.ACCEPT;
    }

    static final Setting<String> HOST = Setting.of("gateway.host", ValueType.text(), "127.0.0.1", "address the HTTP API listens on");
    static final Setting<Integer> PORT = Setting.of("gateway.port", ValueType.port(), 8080, "port of the HTTP API (0 = any free port)");
    static final Setting<String> API_KEYS = Setting.of("gateway.api-keys", ValueType.text(), "",
            "API keys with scopes: KEY:SCOPE+SCOPE,… (scopes: ingest, read, label, admin)");
    static final Setting<String> API_KEYS_FILE = Setting.of("gateway.api-keys-file", ValueType.text(), "",
            "a file of further API keys, one KEY:SCOPE+SCOPE per line; re-read within a second of a change, so keys are"
                    + " added and revoked without a restart (empty: none)");
    static final Setting<Long> MAX_BODY = Setting.of("gateway.max-body", ValueType.byteSize(), 10L << 20, "largest request body");
    static final Setting<Integer> MAX_SIDE = Setting.of("gateway.max-image-side", ValueType.integer(1, 65535), 4096,
            "largest image width and height, read from the header");
    static final Setting<Integer> RATE = Setting.of("gateway.rate-per-key", ValueType.integer(1, 1_000_000), 200,
            "requests per second per API key");
    static final Setting<Integer> BURST = Setting.of("gateway.burst-per-key", ValueType.integer(1, 1_000_000), 400,
            "requests an API key may send at once");
    static final Setting<Duration> REQUEST_TIMEOUT = Setting.of("gateway.request-timeout", ValueType.duration(),
            Duration.ofSeconds(1), "longest a request waits for Kafka's acknowledgement before 503");

    static final Setting<Duration> MAX_WAIT = Setting.of("gateway.max-wait", ValueType.duration(), Duration.ofSeconds(30),
            "longest an ingest request with ?wait= holds on for its prediction");
    static final Setting<Integer> CACHE_SIZE = Setting.of("gateway.prediction-cache", ValueType.integer(1, 10_000_000), 100_000,
            "recent predictions kept for GET /v1/predictions/{id}");

    static final Setting<String> TLS_KEYSTORE = Setting.of("gateway.tls-keystore", ValueType.text(), "",
            "PKCS#12 file with the certificate and key for HTTPS (empty: plain HTTP)");
    static final Setting<String> TLS_PASSWORD = Setting.of("gateway.tls-password", ValueType.text(), "",
            "password of the TLS keystore");

    static final Setting<String> ROUTES = Setting.of("gateway.routes", ValueType.text(), "",
            "MODEL=TOPIC,… : the images topic of each model POST /v1/images?model= names (without model: images)");

    static final Setting<NewClasses> NEW_CLASSES = Setting.of("gateway.new-classes", ValueType.oneOf(NewClasses.class),
            NewClasses.REFUSE, "labels of classes no served model has: refuse (422) or accept (for trainer.new-classes=grow)");

    /** Every setting this service reads. */
    public static final List<Setting<?>> ALL = ClusterSettings.plus(HOST, PORT, API_KEYS, API_KEYS_FILE, MAX_BODY, MAX_SIDE, RATE, BURST,
            REQUEST_TIMEOUT, MAX_WAIT, CACHE_SIZE, TLS_KEYSTORE, TLS_PASSWORD, ROUTES, NEW_CLASSES);

    /** Plain HTTP settings for a gateway on {@code host:port}, the rest as given (tests and embedding). */
    public static GatewaySettings plain(String bootstrapServers, String registryUrl, String host, int port, String apiKeys,
                                        long maxBodyBytes, int maxImageSide, int ratePerSecond, int burst, Duration requestTimeout,
                                        Duration maxWait, int cacheSize) {
        return new GatewaySettings(bootstrapServers, registryUrl, host, port, apiKeys, maxBodyBytes, maxImageSide, ratePerSecond,
                burst, requestTimeout, maxWait, cacheSize, "", "");
    }

    /** What the gateway needs on a secured cluster, as {@code pipeline provision --acls} grants it. */
    public KafkaAccess access() {
        List<KafkaAccess.Grant> grants = new ArrayList<>();
        for (String topic : ImageRoutes.parse(routes).topics()) {
            grants.add(KafkaAccess.Grant.topic(AclOperation.WRITE, topic));
        }
        for (String topic : List.of(Topics.LABELS.name(), Topics.FEEDBACK.name(), Topics.MODELS.name())) {
            grants.add(KafkaAccess.Grant.topic(AclOperation.WRITE, topic));
        }
        for (String topic : List.of(Topics.PREDICTIONS.name(), Topics.MODELS.name(), Topics.MODEL_ACCURACY.name(),
                Topics.TRAINING_METRICS.name())) {
            grants.add(KafkaAccess.Grant.topic(AclOperation.READ, topic));
        }
        return new KafkaAccess("gateway", grants);
    }

    public boolean tls() {
        return !tlsKeystore.isBlank();
    }

    public static GatewaySettings from(Settings s) {
        return new GatewaySettings(KafkaConnection.from(s), RegistryClientOptions.from(s), s.get(HOST), s.get(PORT), s.get(API_KEYS), s.get(MAX_BODY),
                s.get(MAX_SIDE), s.get(RATE), s.get(BURST), s.get(REQUEST_TIMEOUT), s.get(MAX_WAIT), s.get(CACHE_SIZE), s.get(TLS_KEYSTORE),
                s.get(TLS_PASSWORD), s.get(ROUTES), s.get(NEW_CLASSES), s.get(API_KEYS_FILE).strip());
    }
}
