package pipeline.schemas;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroSerializer;
import pipeline.schemas.serde.SerdeOptions;

/**
 * Records no consumer can use, as any producer with write access could send them: a tombstone,
 * foreign bytes, an unknown or foreign schema id, another type's record, a broken Avro body, a
 * missing or wrong key, absurd field values; each with headers nobody expects. Sent with a plain
 * {@code KafkaProducer<byte[], byte[]>}, so nothing of the project's serdes stands between the test
 * and the consumer.
 */
public final class BadRecords {

    /** An id no registry hands out. */
    private static final int UNKNOWN_SCHEMA_ID = 0x7fff_fff0;

    /** One record as raw bytes, and the refusal code a consumer should give it ({@code null}: any). */
    public record Raw(String kind, String key, byte[] value, String expectedCode) {

        /** To one partition, so a test knows where its records are; with headers the consumer does not expect. */
        public ProducerRecord<byte[], byte[]> to(String topic, int partition) {
            return new ProducerRecord<>(topic, partition, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value,
                    foreignHeaders());
        }

        /** To the partition of its key, as joins by key need; with headers the consumer does not expect. */
        public ProducerRecord<byte[], byte[]> to(String topic) {
            return new ProducerRecord<>(topic, null, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, foreignHeaders());
        }
    }

    private BadRecords() {
    }

    /**
     * Every kind of bad record for {@code topic}, built around {@code good} (a valid value whose key
     * is {@code key}) and {@code otherType} (a valid record of another type, registered elsewhere).
     */
    public static List<Raw> around(SchemaRegistryClient registry, String topic, String key, SpecificRecord good,
                                   SpecificRecord otherType) {
        byte[] valid = wire(registry, topic, good);
        byte[] body = Arrays.copyOfRange(valid, 5, valid.length);
        int foreignRecord = registry.register("foreign-thermometer-value", SchemaBuilder.record("Thermometer").namespace("com.example")
                .fields().requiredString("room").requiredDouble("celsius").endRecord());
        int foreignPrimitive = registry.register("foreign-text-value", Schema.create(Schema.Type.STRING));
        List<Raw> bad = new ArrayList<>();
        bad.add(new Raw("tombstone", key, null, "TOMBSTONE"));
        bad.add(new Raw("empty value", key, new byte[0], "EMPTY_VALUE"));
        bad.add(new Raw("JSON text", key, "{\"id\": \"json is not Avro\"}".getBytes(StandardCharsets.UTF_8), "NOT_WIRE_FORMAT"));
        bad.add(new Raw("three bytes", key, new byte[] {0, 0, 0}, "NOT_WIRE_FORMAT"));
        bad.add(new Raw("unknown schema id", key, framed(UNKNOWN_SCHEMA_ID, body), "UNKNOWN_SCHEMA"));
        bad.add(new Raw("schema id zero", key, framed(0, body), "UNKNOWN_SCHEMA"));
        bad.add(new Raw("foreign record schema", key, framed(foreignRecord, body), "WRONG_RECORD_TYPE"));
        bad.add(new Raw("foreign primitive schema", key, framed(foreignPrimitive, body), "WRONG_RECORD_TYPE"));
        bad.add(new Raw("another type's record", key, wire(registry, otherTopic(otherType), otherType), "WRONG_RECORD_TYPE"));
        bad.add(new Raw("truncated body", key, Arrays.copyOf(valid, 5 + body.length / 2), "UNDECODABLE"));
        bad.add(new Raw("header only", key, Arrays.copyOf(valid, 5), "UNDECODABLE"));
        bad.add(new Raw("body of 0xff bytes", key, framed(schemaId(valid), filled(40, (byte) 0xff)), "UNDECODABLE"));
        bad.add(new Raw("null key", null, valid, "MISSING_KEY"));
        bad.add(new Raw("another key", key + "-not-its-key", valid, "KEY_MISMATCH"));
        return bad;
    }

    /** A valid record with an absurd field, under {@code key}. */
    public static Raw absurd(String kind, SchemaRegistryClient registry, String topic, String key, SpecificRecord value,
                             String expectedCode) {
        return new Raw(kind, key, wire(registry, topic, value), expectedCode);
    }

    /**
     * {@code count} records of noise around one valid record: random byte strings (some framed with
     * {@code valid}'s schema id) and mutations of {@code valid} (bit flips, truncations, bytes
     * overwritten, schema-id swaps). Some mutations still decode; consumers must give each exactly one outcome.
     */
    public static List<Raw> noise(Random random, int count, String key, byte[] valid, int otherSchemaId) {
        List<Raw> noise = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            noise.add(mutant(random, i, key, valid, otherSchemaId));
        }
        return noise;
    }

    /** The {@code i}-th kind of noise (there are six, in turn) made from {@code valid}. */
    public static Raw mutant(Random random, int i, String key, byte[] valid, int otherSchemaId) {
        byte[] value = switch (i % 6) {
            case 0 -> randomBytes(random, random.nextInt(200));
            case 1 -> framed(schemaId(valid), randomBytes(random, random.nextInt(200)));
            case 2 -> flipBits(random, valid, 1 + random.nextInt(8));
            case 3 -> Arrays.copyOf(valid, random.nextInt(valid.length));
            case 4 -> overwrite(random, valid);
            default -> framed(random.nextBoolean() ? otherSchemaId : random.nextInt(1, 1000), Arrays.copyOfRange(valid, 5, valid.length));
        };
        return new Raw("noise " + i, key, value, null);
    }

    /** {@code value} in the Confluent wire format, registered under {@code topic}'s value subject. */
    public static byte[] wire(SchemaRegistryClient registry, String topic, SpecificRecord value) {
        try (AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>(registry, SerdeOptions.DEFAULTS, false)) {
            return serializer.serialize(topic, value);
        }
    }

    public static int schemaId(byte[] framed) {
        return ByteBuffer.wrap(framed, 1, 4).getInt();
    }

    /** Headers of another system: a trace id, binary junk, a null-valued header. */
    public static Headers foreignHeaders() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".getBytes(StandardCharsets.UTF_8));
        headers.add("content-type", new byte[] {(byte) 0xff, 0, 1});
        headers.add("empty", null);
        return headers;
    }

    private static String otherTopic(SpecificRecord other) {
        return switch (other.getSchema().getName()) {
            case "Prediction" -> "predictions";
            case "ImageEvent" -> "images";
            case "LabelledImage" -> "labels";
            case "ModelVersion" -> "models";
            case "Feedback" -> "feedback";
            case "TrainingMetrics" -> "training-metrics";
            case "ModelAccuracy" -> "model-accuracy";
            default -> throw new IllegalArgumentException("no topic carries " + other.getSchema().getFullName());
        };
    }

    private static byte[] framed(int schemaId, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(schemaId).put(body).array();
    }

    private static byte[] filled(int length, byte value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        return bytes;
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] flipBits(Random random, byte[] valid, int flips) {
        byte[] bytes = valid.clone();
        for (int i = 0; i < flips; i++) {
            int bit = random.nextInt(bytes.length * 8);
            bytes[bit / 8] ^= (byte) (1 << (bit % 8));
        }
        return bytes;
    }

    private static byte[] overwrite(Random random, byte[] valid) {
        byte[] bytes = valid.clone();
        int from = random.nextInt(bytes.length);
        int length = Math.min(bytes.length - from, 1 + random.nextInt(16));
        for (int i = from; i < from + length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }
}
