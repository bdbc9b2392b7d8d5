package pipeline.schemas.serde;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import pipeline.schemas.registry.SchemaRegistryClient;

/** A Kafka {@link Serde} for one generated record type, for producers, consumers and Kafka Streams. */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final AvroSerializer<T> serializer;
    private final AvroDeserializer<T> deserializer;

    private AvroSerde(AvroSerializer<T> serializer, AvroDeserializer<T> deserializer) {
        this.serializer = serializer;
        this.deserializer = deserializer;
    }

    /** A value serde with topic subjects and auto-registration. */
    public static <T extends SpecificRecord> AvroSerde<T> forValues(Class<T> type, SchemaRegistryClient client) {
        return of(type, client, SerdeOptions.DEFAULTS, false);
    }

    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type, SchemaRegistryClient client,
                                                             SerdeOptions options, boolean isKey) {
        return new AvroSerde<>(new AvroSerializer<>(client, options, isKey), AvroDeserializer.forClass(type, client));
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
