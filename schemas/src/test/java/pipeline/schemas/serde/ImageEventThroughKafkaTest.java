package pipeline.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.schemas.SampleRecords;
import pipeline.schemas.avro.ImageEvent;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

@ExtendWith(RealInfrastructure.class)
class ImageEventThroughKafkaTest {

    @Test
    void imageEventsAndATombstoneTravelThroughTheBrokerWithRegistrySerdes(TestKafka kafka, TestRegistry registry) throws Exception {
        String topic = TestKafka.uniqueName("images");
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        }
        List<ImageEvent> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add(SampleRecords.imageEvent("img-" + i));
        }

        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()))) {
            AvroSerde<ImageEvent> serde = AvroSerde.forValues(ImageEvent.class, client);
            try (KafkaProducer<String, ImageEvent> producer =
                         new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(), serde.serializer())) {
                for (ImageEvent event : sent) {
                    producer.send(new ProducerRecord<>(topic, event.getId(), event)).get();
                }
                producer.send(new ProducerRecord<>(topic, "img-0", null)).get();
            }

            List<ConsumerRecord<String, ImageEvent>> received = new ArrayList<>();
            try (KafkaConsumer<String, ImageEvent> consumer =
                         new KafkaConsumer<>(kafka.consumerConfig(), new StringDeserializer(), serde.deserializer())) {
                consumer.subscribe(Set.of(topic));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (received.size() < sent.size() + 1 && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                }
            }

            List<ImageEvent> values = received.stream().map(ConsumerRecord::value).filter(v -> v != null).toList();
            assertThat(values).containsExactlyInAnyOrderElementsOf(sent);
            assertThat(received).filteredOn(r -> r.value() == null).extracting(ConsumerRecord::key).containsExactly("img-0");
            assertThat(received).allSatisfy(r -> assertThat(r.value() == null || r.key().equals(r.value().getId())).isTrue());
        }
    }

    @Test
    void producerConfiguredByClassNamesAsAUserWouldWriteIt(TestKafka kafka, TestRegistry registry) throws Exception {
        String topic = TestKafka.uniqueName("images");
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        Map<String, Object> config = new java.util.HashMap<>(kafka.producerConfig());
        config.put("key.serializer", StringSerializer.class.getName());
        config.put("value.serializer", AvroSerializer.class.getName());
        config.put(RegistryClientOptions.URL, registry.url());
        try (KafkaProducer<String, ImageEvent> producer = new KafkaProducer<>(config)) {
            producer.send(new ProducerRecord<>(topic, "a", SampleRecords.imageEvent("a"))).get();
        }

        Map<String, Object> consumerConfig = new java.util.HashMap<>(kafka.consumerConfig());
        consumerConfig.put("key.deserializer", StringDeserializer.class.getName());
        consumerConfig.put("value.deserializer", AvroDeserializer.class.getName());
        consumerConfig.put(RegistryClientOptions.URL, registry.url());
        consumerConfig.put(SerdeOptions.SPECIFIC_READER, "true");
        try (KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(consumerConfig)) {
            consumer.subscribe(Set.of(topic));
            List<Object> values = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
            assertThat(values).containsExactly(SampleRecords.imageEvent("a"));
        }
    }
}
