package pipeline.schemas.topics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import pipeline.config.ClusterSettings;
import pipeline.config.Settings;
import pipeline.config.SettingsException;
import pipeline.config.ValueType;

/**
 * How a service reaches Kafka: the bootstrap servers and the client properties every one of its
 * producers, consumers, admin and Streams clients gets besides its own, such as
 * {@code security.protocol=SASL_SSL}, {@code sasl.mechanism}, {@code sasl.jaas.config} and
 * {@code ssl.truststore.location}. Secrets (the properties Kafka types as passwords) show as
 * {@code [hidden]} in {@link #toString()}, which start-up summaries and errors print.
 *
 * @param bootstrapServers {@code host:port[,host:port…]}
 * @param properties       Kafka client properties by their Kafka names; neither {@code bootstrap.servers} nor one a
 *                         service sets itself ({@link #OWNED})
 */
public record KafkaConnection(String bootstrapServers, Map<String, String> properties) {

    /**
     * Properties each client sets itself because its guarantees rest on them (exactly once, its own
     * group and transactional id, its serdes); a connection may not override them.
     */
    public static final Set<String> OWNED = Set.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ConsumerConfig.GROUP_ID_CONFIG,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, ConsumerConfig.CLIENT_ID_CONFIG,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, ProducerConfig.ACKS_CONFIG);

    private static final List<ConfigDef> CLIENTS = List.of(ProducerConfig.configDef(), ConsumerConfig.configDef(),
            AdminClientConfig.configDef());

    public KafkaConnection {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("Kafka bootstrap servers are empty; expected host:port[,host:port…]"
                    + " (" + ClusterSettings.BOOTSTRAP.key() + ")");
        }
        List<String> problems = problems(properties);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        properties = Collections.unmodifiableMap(new TreeMap<>(properties));
    }

    /** Bootstrap servers alone: PLAINTEXT, no authentication. */
    public static KafkaConnection plaintext(String bootstrapServers) {
        return new KafkaConnection(bootstrapServers, Map.of());
    }

    /**
     * The connection a service's settings describe: {@code kafka.bootstrap-servers} and every further key of
     * the {@code kafka} scope as a client property.
     *
     * @throws SettingsException naming each property that is not a Kafka client's, or that a service sets itself
     */
    public static KafkaConnection from(Settings settings) {
        try {
            return new KafkaConnection(settings.get(ClusterSettings.BOOTSTRAP), settings.passThrough("kafka"));
        } catch (IllegalArgumentException e) {
            throw new SettingsException(e.getMessage());
        }
    }

    /** A new map for one client: the bootstrap servers and the connection's properties; the caller adds its own. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>(properties);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return config;
    }

    /** Whether a client property holds a secret: Kafka types it as a password ({@code sasl.jaas.config}, {@code ssl.key.password}). */
    public static boolean isSecret(String name) {
        return CLIENTS.stream().map(def -> def.configKeys().get(name))
                .anyMatch(key -> key != null && key.type == ConfigDef.Type.PASSWORD);
    }

    /** {@code host:port (security.protocol=SASL_SSL, sasl.jaas.config=[hidden])}: what start-up lines and errors show. */
    @Override
    public String toString() {
        if (properties.isEmpty()) {
            return bootstrapServers;
        }
        return bootstrapServers + properties.entrySet().stream()
                .map(e -> e.getKey() + "=" + (isSecret(e.getKey()) ? ValueType.HIDDEN : e.getValue()))
                .collect(Collectors.joining(", ", " (", ")"));
    }

    private static List<String> problems(Map<String, String> properties) {
        List<String> problems = new ArrayList<>();
        for (String name : new TreeSet<>(properties.keySet())) {
            if (name.equals(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
                problems.add("kafka." + name + " is not a client property here; set " + ClusterSettings.BOOTSTRAP.key()
                        + " (" + ClusterSettings.BOOTSTRAP.envName() + ") instead");
            } else if (OWNED.contains(name)) {
                problems.add("kafka." + name + " cannot be set: each service sets it itself for its own clients"
                        + " (their exactly-once guarantees rest on it)");
            } else if (CLIENTS.stream().noneMatch(def -> def.names().contains(name))) {
                problems.add("unknown setting kafka." + name + ": not a Kafka producer, consumer or admin client property;"
                        + " expected one such as kafka.security.protocol, kafka.sasl.mechanism, kafka.sasl.jaas.config or"
                        + " kafka.ssl.truststore.location (as PIPELINE_KAFKA_SECURITY_PROTOCOL, …)");
            }
        }
        return problems;
    }
}
