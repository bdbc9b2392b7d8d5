package pipeline.schemas.topics;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The client settings the services' exactly-once paths share, declared once; each caller adds its
 * own (group, fetch sizes, timeouts) to the map it gets.
 */
public final class KafkaClients {

    private KafkaClients() {
    }

    /**
     * A consumer that sees only committed records (not those of open or aborted transactions) and
     * never commits offsets on its own: its owner commits them in a transaction, or not at all.
     */
    public static Map<String, Object> committedReader(KafkaConnection kafka, String clientId) {
        Map<String, Object> config = kafka.clientConfig();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        if (clientId != null) {
            config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        }
        return config;
    }

    /**
     * A transactional producer: every replica acknowledges, retries do not duplicate, and a newer
     * producer with the same transactional id (also its client id) fences this one.
     */
    public static Map<String, Object> transactionalProducer(KafkaConnection kafka, String transactionalId) {
        Map<String, Object> config = kafka.clientConfig();
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return config;
    }
}
