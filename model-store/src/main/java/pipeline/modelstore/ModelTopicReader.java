package pipeline.modelstore;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.intake.Intake;
import pipeline.schemas.intake.RecordIntake;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.Topics;

/**
 * Reads {@code models} from its start, committed records only, without a consumer group, up to the
 * topic's end at each {@link #catchUp}: the whole history every reader of models needs. Not
 * thread-safe.
 */
public final class ModelTopicReader implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final RecordIntake<ModelVersion> versions;
    private final List<TopicPartition> partitions;

    /** @throws org.apache.kafka.common.errors.TimeoutException when the cluster does not answer within 30 s */
    public ModelTopicReader(KafkaConnection kafka, SchemaRegistryClient registry) {
        Map<String, Object> config = ModelRecords.readerConfig(kafka);
        consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        versions = RecordIntake.of(ModelVersion.class, registry);
        partitions = consumer.partitionsFor(Topics.MODELS.name(), Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /**
     * Hands every record committed to {@code models} since the last call (the first: since the start) to
     * {@code reader}, in order: a version, or why the record is not one.
     */
    public void catchUp(BiConsumer<ConsumerRecord<String, byte[]>, Intake<ModelVersion>> reader) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            versions.readAll(consumer, consumer.poll(Duration.ofMillis(500)), reader);
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
