package pipeline.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.schemas.registry.Compatibility;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.registry.SchemaRegistryException;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

/** Schemas evolve under BACKWARD compatibility, enforced by the real registry. */
@ExtendWith(RealInfrastructure.class)
class SchemaEvolutionTest {

    static final Schema V1 = schema("""
            {"name": "source", "type": "string"}""");
    static final Schema V2_WITH_DEFAULT = schema("""
            {"name": "source", "type": "string"},
            {"name": "priority", "type": "int", "default": 5}""");
    static final Schema V2_WITHOUT_DEFAULT = schema("""
            {"name": "source", "type": "string"},
            {"name": "priority", "type": "int"}""");

    String topic;
    String subject;

    @BeforeEach
    void subjectWithBackwardCompatibility(TestRegistry registry) {
        topic = TestKafka.uniqueName("evolving");
        subject = topic + "-value";
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()))) {
            client.setCompatibility(subject, Compatibility.BACKWARD);
        }
    }

    @Test
    void addingAFieldWithADefaultIsAcceptedAndOldDataReadsWithTheNewSchema(TestRegistry registry) {
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()))) {
            AvroSerializer<GenericRecord> serializer = new AvroSerializer<>(client, SerdeOptions.DEFAULTS, false);
            byte[] oldData = serializer.serialize(topic, record(V1));

            byte[] newData = serializer.serialize(topic, withPriority(record(V2_WITH_DEFAULT), 9));
            GenericRecord oldReadAsNew = AvroDeserializer.generic(client, V2_WITH_DEFAULT).deserialize(topic, oldData);
            GenericRecord newRead = AvroDeserializer.generic(client, V2_WITH_DEFAULT).deserialize(topic, newData);

            assertThat(client.versions(subject)).hasSize(2);
            assertThat(oldReadAsNew.get("source").toString()).isEqualTo("camera-1");
            assertThat(oldReadAsNew.get("priority")).isEqualTo(5);
            assertThat(newRead.get("priority")).isEqualTo(9);
        }
    }

    @Test
    void addingAFieldWithoutADefaultIsRefusedNamingTheSubject(TestRegistry registry) {
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()))) {
            client.register(subject, V1);

            assertThat(client.isCompatible(subject, V2_WITHOUT_DEFAULT)).isFalse();
            assertThatThrownBy(() -> client.register(subject, V2_WITHOUT_DEFAULT))
                    .isInstanceOfSatisfying(SchemaRegistryException.class,
                            e -> assertThat(e.reason()).isEqualTo(SchemaRegistryException.Reason.INCOMPATIBLE))
                    .hasMessageContaining("subject '" + subject + "'")
                    .hasMessageContaining("incompatible");
            AvroSerializer<GenericRecord> serializer = new AvroSerializer<>(client, SerdeOptions.DEFAULTS, false);
            assertThatThrownBy(() -> serializer.serialize(topic, withPriority(record(V2_WITHOUT_DEFAULT), 1)))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("subject '" + subject + "'");
        }
    }

    private static Schema schema(String fields) {
        return new Schema.Parser().parse("""
                {"type": "record", "name": "Reading", "namespace": "pipeline.test", "fields": [%s]}""".formatted(fields));
    }

    private static GenericRecord record(Schema schema) {
        GenericRecord record = new GenericData.Record(schema);
        record.put("source", "camera-1");
        return record;
    }

    private static GenericRecord withPriority(GenericRecord record, int priority) {
        record.put("priority", priority);
        return record;
    }
}
