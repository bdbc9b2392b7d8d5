package pipeline.config;

/**
 * The settings every service reads to find the cluster: Kafka's brokers and the schema registry,
 * declared once so that the gateway, the workers, the trainer and {@code pipeline provision} read
 * them under the same keys, defaults and descriptions.
 */
public final class ClusterSettings {

    public static final Setting<String> BOOTSTRAP = Setting.of("kafka.bootstrap-servers", ValueType.text(), "127.0.0.1:9092",
            "Kafka brokers");
    public static final Setting<String> REGISTRY = Setting.of("registry.url", ValueType.text(),
            "http://127.0.0.1:8081/apis/ccompat/v7", "schema registry, Confluent REST API");

    private ClusterSettings() {
    }
}
