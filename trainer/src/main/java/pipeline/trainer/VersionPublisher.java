package pipeline.trainer;

import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.StringSerializer;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroSerializer;
import pipeline.schemas.serde.SerdeOptions;
import pipeline.schemas.topics.KafkaClients;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.Topics;

/**
 * Everything the training loop writes, each as one transaction: a model version with its two
 * evaluations, or dead letters, together with the {@code labels} offsets they account for. A
 * trainer that restarts (or a second one of the same model) fences the previous producer and aborts
 * its open transaction, so a version is published whole or not at all, and by one trainer.
 */
final class VersionPublisher implements AutoCloseable {

    private final KafkaProducer<String, SpecificRecord> producer;

    VersionPublisher(KafkaConnection kafka, SchemaRegistryClient registry, String transactionalId) {
        Map<String, Object> config = KafkaClients.transactionalProducer(kafka, transactionalId);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MODEL_RECORD_BYTES);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 2L * Topics.MAX_MODEL_RECORD_BYTES);
        producer = new KafkaProducer<>(config, new StringSerializer(), new AvroSerializer<>(registry, SerdeOptions.DEFAULTS, false));
        producer.initTransactions();
    }

    /**
     * Sends {@code records} and, when {@code offsets} is not empty, commits them for {@code group}, atomically.
     *
     * @throws ProducerFencedException when another trainer of the same model has started: this one must stop
     * @throws AuthorizationException  when the cluster refused the trainer's principal (its group or transactional id)
     * @throws KafkaException          when the transaction failed and was aborted: nothing of it is visible
     */
    void publish(List<ProducerRecord<String, SpecificRecord>> records, Map<TopicPartition, OffsetAndMetadata> offsets,
                 ConsumerGroupMetadata group) {
        producer.beginTransaction();
        try {
            records.forEach(producer::send);
            if (!offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(offsets, group);
            }
            producer.commitTransaction();
        } catch (ProducerFencedException | AuthorizationException e) {
            throw e; // Nothing to abort with: the trainer stops, and the next producer of its id aborts the transaction.
        } catch (KafkaException e) {
            producer.abortTransaction();
            throw e;
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
