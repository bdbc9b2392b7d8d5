package pipeline.config;

import java.util.ArrayList;
import java.util.List;

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
    public static final Setting<String> REGISTRY_USER_INFO = Setting.of("registry.basic-auth-user-info", ValueType.secret(), "",
            "user:password for the registry's HTTP basic auth (Confluent's basic.auth.user.info); empty for none");
    public static final Setting<String> REGISTRY_BEARER_TOKEN = Setting.of("registry.bearer-token", ValueType.secret(), "",
            "a bearer token for the registry (Confluent's bearer.auth.token); empty for none");
    public static final Setting<String> REGISTRY_TRUSTSTORE = Setting.of("registry.truststore", ValueType.text(), "",
            "a PKCS12 or JKS truststore with the CA of the registry's HTTPS certificate; empty for the JDK's CAs");
    public static final Setting<String> REGISTRY_TRUSTSTORE_PASSWORD = Setting.of("registry.truststore-password",
            ValueType.secret(), "", "the password of registry.truststore");

    /**
     * Every cluster setting. Besides these, any Kafka client property may be given in the open scope
     * {@code kafka} ({@code kafka.security.protocol}, {@code PIPELINE_KAFKA_SASL_JAAS_CONFIG}): it reaches
     * every producer, consumer, admin and Streams client of the service.
     */
    public static final List<Setting<?>> ALL = List.of(BOOTSTRAP, REGISTRY, REGISTRY_USER_INFO, REGISTRY_BEARER_TOKEN,
            REGISTRY_TRUSTSTORE, REGISTRY_TRUSTSTORE_PASSWORD);

    /** The cluster settings followed by a service's {@code own}: the definitions a service that talks to the cluster loads. */
    public static List<Setting<?>> plus(Setting<?>... own) {
        List<Setting<?>> all = new ArrayList<>(ALL);
        all.addAll(List.of(own));
        return List.copyOf(all);
    }

    private ClusterSettings() {
    }
}
