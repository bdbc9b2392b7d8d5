package pipeline.trainer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroDeserializer;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.TestKafka;

/** Reads one topic's committed records from the start, keeping the values whose key a test cares about. */
final class TopicReader<T extends SpecificRecord> implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final AvroDeserializer<T> values;
    private final Predicate<String> keys;
    private final List<T> kept = new ArrayList<>();
    private final List<String> keptKeys = new ArrayList<>();

    TopicReader(TestKafka kafka, SchemaRegistryClient client, String topic, Class<T> type, Predicate<String> keys) {
        Map<String, Object> config = kafka.consumerConfig();
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_MODEL_RECORD_BYTES);
        consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(Set.of(topic));
        values = AvroDeserializer.forClass(type, client);
        this.keys = keys;
    }

    /** Every kept value read so far, after reading on until {@code done} holds for them; fails after {@code timeout}. */
    List<T> until(Predicate<List<T>> done, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(kept)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what + "; read " + kept.size()
                        + " records, keys " + keptKeys);
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.key() != null && keys.test(record.key())) {
                    kept.add(values.deserialize(record.topic(), record.value()));
                    keptKeys.add(record.key());
                }
            }
        }
        return kept;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
