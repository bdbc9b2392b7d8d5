package pipeline.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroDeserializer;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.Topics;

/** A topic's committed records as they are now, from its first offset to its end, as a {@code read_committed} reader sees them. */
final class CommittedRecords {

    private CommittedRecords() {
    }

    static <T extends SpecificRecord> List<T> read(String bootstrapServers, SchemaRegistryClient registry, String topic, Class<T> type) {
        return read(KafkaConnection.plaintext(bootstrapServers), registry, topic, type);
    }

    /** As above, on a cluster {@code kafka} reaches (a secured one, with its client properties). */
    static <T extends SpecificRecord> List<T> read(KafkaConnection kafka, SchemaRegistryClient registry, String topic, Class<T> type) {
        AvroDeserializer<T> values = AvroDeserializer.forClass(type, registry);
        Map<String, Object> config = kafka.clientConfig();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_MODEL_RECORD_BYTES);
        List<T> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> records.add(values.deserialize(topic, r.value())));
            }
        }
        return records;
    }
}
