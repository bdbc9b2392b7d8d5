package pipeline.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.registry.SchemaRegistryException;

/**
 * Writes generated (specific) or generic Avro records in the Confluent wire format, registering
 * or looking up the writer schema under the subject its strategy names.
 *
 * <p>Build it with a client, or by class name with {@code schema.registry.url} and friends in the
 * Kafka configuration.
 */
public final class AvroSerializer<T extends GenericContainer> implements Serializer<T> {

    private SchemaRegistryClient client;
    private SerdeOptions options;
    private boolean isKey;
    private boolean ownsClient;
    private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();

    /** For Kafka's by-class-name construction; {@link #configure} must follow. */
    public AvroSerializer() {
    }

    public AvroSerializer(SchemaRegistryClient client, SerdeOptions options, boolean isKey) {
        this.client = client;
        this.options = options;
        this.isKey = isKey;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (client != null) {
            return;
        }
        this.client = new SchemaRegistryClient(RegistryClientOptions.fromConfigs(configs));
        this.ownsClient = true;
        this.options = SerdeOptions.fromConfigs(configs, isKey);
        this.isKey = isKey;
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        if (client == null) {
            throw new IllegalStateException("AvroSerializer was built without a registry: pass a client or call configure()");
        }
        Schema schema = record.getSchema();
        String subject = options.strategy().subject(topic, schema, isKey);
        int id;
        try {
            id = options.autoRegister() ? client.register(subject, schema) : client.idOf(subject, schema);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Cannot write a " + schema.getFullName() + " to topic " + topic
                    + " (subject '" + subject + "'): " + e.getMessage(), e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        ByteBuffer header = ByteBuffer.allocate(WireFormat.HEADER_SIZE);
        WireFormat.writeHeader(header, id);
        out.writeBytes(header.array());
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writers.computeIfAbsent(schema, s -> writerFor(record, s)).write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot encode a " + schema.getFullName() + " for topic " + topic
                    + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }

    @SuppressWarnings("unchecked")
    private static DatumWriter<Object> writerFor(GenericContainer record, Schema schema) {
        return record instanceof SpecificRecord
                ? (DatumWriter<Object>) (DatumWriter<?>) new SpecificDatumWriter<>(schema)
                : new GenericDatumWriter<>(schema, GenericData.get());
    }
}
