package pipeline.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import pipeline.schemas.SampleRecords;
import pipeline.schemas.avro.ImageEvent;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.TopicSpec;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

@ExtendWith(RealInfrastructure.class)
class AvroSerdeRoundTripTest {

    static Stream<TopicSpec> catalogue() {
        return Topics.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogue")
    @SuppressWarnings("unchecked")
    void everyRecordTypeRoundTripsInTheConfluentWireFormat(TopicSpec spec, TestRegistry registry) {
        String topic = TestKafka.uniqueName(spec.name());
        SpecificRecord record = SampleRecords.forSchema(spec.valueSchema());
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             SchemaRegistryClient otherClient = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()))) {
            AvroSerde<SpecificRecord> serde = AvroSerde.forValues((Class<SpecificRecord>) record.getClass(), client);

            byte[] bytes = serde.serializer().serialize(topic, record);
            SpecificRecord back = serde.deserializer().deserialize(topic, bytes);

            int registeredId = otherClient.lookup(topic + "-value", spec.valueSchema()).id();
            assertThat(bytes[0]).isEqualTo(WireFormat.MAGIC_BYTE);
            assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(registeredId);
            assertThat(back).isEqualTo(record);
        }
    }

    @Test
    void nullIsWrittenAndReadAsNullForTombstones(TestRegistry registry) {
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()))) {
            AvroSerde<ImageEvent> serde = AvroSerde.forValues(ImageEvent.class, client);

            assertThat(serde.serializer().serialize("images", null)).isNull();
            assertThat(serde.deserializer().deserialize("images", null)).isNull();
        }
    }

    @Test
    void bytesNotInTheWireFormatAreRefusedNamingTopicAndFirstByte(TestRegistry registry) {
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()))) {
            AvroDeserializer<ImageEvent> deserializer = AvroDeserializer.forClass(ImageEvent.class, client);

            assertThatThrownBy(() -> deserializer.deserialize("images", "{\"json\":1}".getBytes()))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("topic images")
                    .hasMessageContaining("0x7b")
                    .hasMessageContaining("magic byte 0x00");
            assertThatThrownBy(() -> deserializer.deserialize("images", new byte[] {0, 0}))
                    .hasMessageContaining("needs at least 5");
        }
    }

    @Test
    void withoutAutoRegisterAnUnregisteredSchemaIsRefusedNamingTheSubject(TestRegistry registry) {
        String topic = TestKafka.uniqueName("images");
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()))) {
            AvroSerializer<ImageEvent> serializer =
                    new AvroSerializer<>(client, SerdeOptions.DEFAULTS.withAutoRegister(false), false);

            assertThatThrownBy(() -> serializer.serialize(topic, SampleRecords.imageEvent("x")))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("subject '" + topic + "-value'")
                    .hasMessageContaining("does not exist");

            client.register(topic + "-value", ImageEvent.getClassSchema());
            assertThat(serializer.serialize(topic, SampleRecords.imageEvent("x"))).isNotEmpty();
        }
    }

    @Test
    void configuredByClassNameLikeConfluentsSerializers(TestRegistry registry) {
        String topic = TestKafka.uniqueName("images");
        Map<String, Object> configs = Map.of(
                RegistryClientOptions.URL, registry.url(),
                SerdeOptions.SPECIFIC_READER, "true",
                SerdeOptions.VALUE_STRATEGY, "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy");
        try (AvroSerializer<ImageEvent> serializer = new AvroSerializer<>();
             AvroDeserializer<Object> deserializer = new AvroDeserializer<>();
             SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()))) {
            serializer.configure(configs, false);
            deserializer.configure(configs, false);
            ImageEvent event = SampleRecords.imageEvent("by-name");

            Object back = deserializer.deserialize(topic, serializer.serialize(topic, event));

            assertThat(back).isEqualTo(event);
            assertThat(client.subjects()).contains(topic + "-pipeline.schemas.avro.ImageEvent");
        }
    }
}
