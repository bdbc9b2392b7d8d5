package pipeline.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.schemas.intake.Intake;
import pipeline.schemas.intake.RecordIntake;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.KafkaClients;
import pipeline.schemas.topics.KafkaConnection;

/**
 * Reads every partition of one topic on its own thread (read_committed, no consumer group: each
 * gateway instance sees everything), from the start or from the end, and hands each record to
 * {@link #accept}. A record that is not what the topic carries is logged, counted and skipped, never
 * a reason to stop; while the registry fails, the record is read again a second later.
 */
abstract class TopicFollower<T extends SpecificRecord> implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);

    private final String topic;
    private final KafkaConsumer<String, byte[]> consumer;
    private final RecordIntake<T> values;
    private final AtomicLong skipped = new AtomicLong();
    private volatile boolean running = true;

    TopicFollower(KafkaConnection kafka, SchemaRegistryClient registry, String topic, Class<T> type, boolean fromStart) {
        Map<String, Object> config = KafkaClients.committedReader(kafka,
                "gateway-" + topic + "-" + ProcessHandle.current().pid());
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 << 20);
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.values = RecordIntake.of(type, registry);
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        if (fromStart) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
        }
    }

    /** One record, on the follower's thread. */
    protected abstract void accept(T value);

    String topic() {
        return topic;
    }

    /** Records skipped since start because they are not what the topic carries (see {@link RecordIntake}). */
    long skipped() {
        return skipped.get();
    }

    @Override
    public void run() {
        try {
            while (running) {
                values.readAll(consumer, consumer.poll(Duration.ofMillis(500)), this::take);
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void take(ConsumerRecord<String, byte[]> record, Intake<T> read) {
        if (!(read instanceof Intake.Accepted<T>(T value))) {
            skipped.incrementAndGet();
            return;
        }
        try {
            accept(value);
        } catch (RuntimeException e) {
            skipped.incrementAndGet();
            LOG.warn("Skipping {}-{}@{}: the gateway could not use it: {}", record.topic(), record.partition(), record.offset(), e.toString());
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}
