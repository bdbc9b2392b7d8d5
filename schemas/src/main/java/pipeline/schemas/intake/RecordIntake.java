package pipeline.schemas.intake;

import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.registry.SchemaRegistryException;
import pipeline.schemas.serde.AvroDeserializer;
import pipeline.schemas.serde.WireFormat;

/**
 * The step every consumer runs on a record before using it: the value as the topic's type, checked
 * field by field, or a {@link Refusal} that names what was wrong and what was expected. A refusal is
 * logged here, once (topic, partition, offset, key, reason); the caller counts it, dead-letters the
 * record or skips it, and moves on.
 *
 * <p>Only a registry the service cannot reach (or that fails) is not the record's fault: then
 * {@link #read} throws {@link SchemaRegistryException}, and {@link #readAll} reads the record again
 * {@link #REGISTRY_RETRY} later. Thread-safe.
 */
public final class RecordIntake<T extends SpecificRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(RecordIntake.class);
    /** How long a consumer waits, when the registry fails, before it reads the record again. */
    static final Duration REGISTRY_RETRY = Duration.ofSeconds(1);

    private final Schema expected;
    private final SchemaRegistryClient registry;
    private final AvroDeserializer<T> values;
    private final BiFunction<String, T, Refusal> check;

    private RecordIntake(Class<T> type, SchemaRegistryClient registry) {
        this.expected = SpecificData.get().getSchema(type);
        this.registry = registry;
        this.values = AvroDeserializer.forClass(type, registry);
        this.check = FieldChecks.forType(type);
    }

    /** The intake for records of the generated class {@code type}, with that type's field checks. */
    public static <T extends SpecificRecord> RecordIntake<T> of(Class<T> type, SchemaRegistryClient registry) {
        return new RecordIntake<>(type, registry);
    }

    /**
     * Reads {@code polled} in order, handing each record and what it is to {@code handler}. When the
     * registry fails, seeks {@code consumer} back to the first record not handled on each partition, so
     * the next poll brings them again, says so and waits {@link #REGISTRY_RETRY} (an interrupt ends the
     * wait and stays set).
     */
    public void readAll(Consumer<String, byte[]> consumer, ConsumerRecords<String, byte[]> polled,
                        BiConsumer<ConsumerRecord<String, byte[]>, Intake<T>> handler) {
        List<TopicPartition> partitions = List.copyOf(polled.partitions());
        for (int p = 0; p < partitions.size(); p++) {
            List<ConsumerRecord<String, byte[]>> records = polled.records(partitions.get(p));
            for (ConsumerRecord<String, byte[]> record : records) {
                Intake<T> read;
                try {
                    read = read(record);
                } catch (SchemaRegistryException e) {
                    consumer.seek(partitions.get(p), record.offset());
                    for (TopicPartition later : partitions.subList(p + 1, partitions.size())) {
                        consumer.seek(later, polled.records(later).getFirst().offset());
                    }
                    LOG.warn("Cannot read {}-{}@{} while the registry fails ({}); reading it again in {} ms", record.topic(),
                            record.partition(), record.offset(), e.getMessage(), REGISTRY_RETRY.toMillis());
                    waitForRegistry();
                    return;
                }
                handler.accept(record, read);
            }
        }
    }

    private static void waitForRegistry() {
        try {
            Thread.sleep(REGISTRY_RETRY);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public Intake<T> read(ConsumerRecord<String, byte[]> record) {
        return read(record.topic(), record.partition(), record.offset(), record.key(), record.value());
    }

    /**
     * @throws SchemaRegistryException when the registry cannot be reached or fails: nothing is known
     *                                 about the record yet, so read it again later
     */
    public Intake<T> read(String topic, int partition, long offset, String key, byte[] value) {
        Refusal refusal;
        T decoded = null;
        try {
            decoded = decode(topic, value);
            refusal = check.apply(key, decoded);
        } catch (RefusedRecord e) {
            refusal = e.refusal;
        }
        if (refusal == null) {
            return new Intake.Accepted<>(decoded);
        }
        LOG.warn("Refused {}-{}@{} (key {}): {} {}", topic, partition, offset, key == null ? "none" : FieldChecks.abbreviate(key),
                refusal.code(), refusal.message());
        return new Intake.Refused<>(refusal);
    }

    private T decode(String topic, byte[] value) {
        String type = expected.getName();
        if (value == null) {
            throw new RefusedRecord(RefusalReason.TOMBSTONE, "the record has no value (a tombstone); " + topic + " carries " + type + " records");
        }
        if (value.length == 0) {
            throw new RefusedRecord(RefusalReason.EMPTY_VALUE, "the value has no bytes; " + topic + " carries " + type + " records");
        }
        int id;
        try {
            id = WireFormat.schemaId(value, topic);
        } catch (SerializationException e) {
            throw new RefusedRecord(RefusalReason.NOT_WIRE_FORMAT, e.getMessage());
        }
        Schema writer = writerSchema(id, topic, type);
        if (!writer.getFullName().equals(expected.getFullName()) && !expected.getAliases().contains(writer.getFullName())) {
            throw new RefusedRecord(RefusalReason.WRONG_RECORD_TYPE, "schema id " + id + " is " + writer.getType().getName() + " "
                    + writer.getFullName() + "; " + topic + " carries " + expected.getFullName());
        }
        try {
            return values.deserialize(topic, value);
        } catch (SerializationException e) {
            if (e.getCause() instanceof SchemaRegistryException registryFailure) {
                throw registryFailure;
            }
            throw new RefusedRecord(RefusalReason.UNDECODABLE, "the " + (value.length - WireFormat.HEADER_SIZE)
                    + "-byte body does not decode as " + type + " with schema id " + id + ": " + rootMessage(e));
        }
    }

    private Schema writerSchema(int id, String topic, String type) {
        if (id <= 0) {
            throw new RefusedRecord(RefusalReason.UNKNOWN_SCHEMA, "schema id " + id + " is not a registry id (they are positive); "
                    + topic + " carries " + type + " records");
        }
        try {
            return registry.schemaById(id);
        } catch (SchemaRegistryException e) {
            String found = switch (e.reason()) {
                case SCHEMA_NOT_FOUND -> "the registry has no schema with id " + id;
                case INVALID_SCHEMA -> "schema id " + id + " is not an Avro schema";
                default -> throw e;
            };
            throw new RefusedRecord(RefusalReason.UNKNOWN_SCHEMA, found + "; " + topic + " carries " + type + " records");
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    /** Ends {@link #decode} with the record's refusal. */
    private static final class RefusedRecord extends RuntimeException {
        private final Refusal refusal;

        RefusedRecord(RefusalReason reason, String message) {
            super(message, null, false, false);
            this.refusal = new Refusal(reason, message);
        }
    }
}
