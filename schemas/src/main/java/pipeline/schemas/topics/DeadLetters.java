package pipeline.schemas.topics;

import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import pipeline.schemas.avro.DeadLetter;

/** Records a service gives up on, kept whole on {@code images.dlq} with the reason. */
public final class DeadLetters {

    private DeadLetters() {
    }

    /**
     * @param code    a stable code, e.g. {@code UNDECODABLE_IMAGE}
     * @param message what was wrong and what was expected
     * @param service the instance that gave up on it
     */
    public static ProducerRecord<String, SpecificRecord> of(ConsumerRecord<String, byte[]> record, String code, String message,
                                                            String service) {
        DeadLetter letter = letter(record.topic(), record.partition(), record.offset(), record.key(), record.value(), code, message, service);
        return new ProducerRecord<>(Topics.IMAGES_DLQ.name(), record.key(), letter);
    }

    /** The dead letter of the record at {@code topic}/{@code partition}@{@code offset}, its key and value kept whole. */
    public static DeadLetter letter(String topic, int partition, long offset, String key, byte[] value, String code, String message,
                                    String service) {
        return DeadLetter.newBuilder()
                .setKey(key)
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .setSourceTopic(topic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .setErrorCode(code)
                .setMessage(message)
                .setWorker(service)
                .setTimestamp(Instant.now())
                .build();
    }
}
