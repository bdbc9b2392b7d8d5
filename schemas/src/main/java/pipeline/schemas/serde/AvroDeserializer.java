package pipeline.schemas.serde;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.registry.SchemaRegistryException;

/**
 * Reads records in the Confluent wire format: fetches the writer schema by its id (cached) and
 * resolves it against the reader schema, so data written with an older schema reads with a newer one.
 *
 * <p>Typed: {@link #forClass} gives instances of one generated class. Untyped: {@link #generic}
 * gives {@link GenericRecord}s, in the writer's schema or a given reader schema.
 */
public final class AvroDeserializer<T> implements Deserializer<T> {

    private SchemaRegistryClient client;
    private boolean ownsClient;
    private Schema readerSchema;
    private boolean specific;
    private final Map<Integer, DatumReader<Object>> readers = new ConcurrentHashMap<>();

    /** For Kafka's by-class-name construction; {@link #configure} must follow. */
    public AvroDeserializer() {
    }

    private AvroDeserializer(SchemaRegistryClient client, Schema readerSchema, boolean specific) {
        this.client = client;
        this.readerSchema = readerSchema;
        this.specific = specific;
    }

    /** Reads into the generated class {@code type}, whatever compatible schema the data was written with. */
    public static <T extends SpecificRecord> AvroDeserializer<T> forClass(Class<T> type, SchemaRegistryClient client) {
        return new AvroDeserializer<>(client, SpecificData.get().getSchema(type), true);
    }

    /** Reads generic records in {@code readerSchema}, or in the writer's schema when it is {@code null}. */
    public static AvroDeserializer<GenericRecord> generic(SchemaRegistryClient client, Schema readerSchema) {
        return new AvroDeserializer<>(client, readerSchema, false);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (client != null) {
            return;
        }
        this.client = new SchemaRegistryClient(RegistryClientOptions.fromConfigs(configs));
        this.ownsClient = true;
        this.specific = SerdeOptions.fromConfigs(configs, isKey).specificReader();
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (client == null) {
            throw new IllegalStateException("AvroDeserializer was built without a registry: pass a client or call configure()");
        }
        int id = WireFormat.schemaId(data, topic);
        try {
            DatumReader<Object> reader = readers.computeIfAbsent(id, this::readerFor);
            @SuppressWarnings("unchecked")
            T value = (T) reader.read(null, DecoderFactory.get().binaryDecoder(
                    data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, null));
            return value;
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Cannot read a record on topic " + topic + " written with schema id "
                    + id + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot decode a record on topic " + topic + " written with schema id "
                    + id + " (" + data.length + " bytes): " + e, e);
        }
    }

    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }

    @SuppressWarnings("unchecked")
    private DatumReader<Object> readerFor(int schemaId) {
        Schema writer = client.schemaById(schemaId);
        if (!specific) {
            return new GenericDatumReader<>(writer, readerSchema == null ? writer : readerSchema, GenericData.get());
        }
        Schema reader = readerSchema;
        if (reader == null) {
            Class<?> type = SpecificData.get().getClass(writer);
            if (type == null) {
                throw new SerializationException("No generated class on the classpath for " + writer.getFullName()
                        + " (schema id " + schemaId + "); " + SerdeOptions.SPECIFIC_READER + "=true needs one");
            }
            reader = SpecificData.get().getSchema(type);
        }
        return (DatumReader<Object>) (DatumReader<?>) new SpecificDatumReader<>(writer, reader);
    }
}
