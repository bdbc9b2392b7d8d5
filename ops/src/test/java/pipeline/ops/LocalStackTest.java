package pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pipeline.infra.ApicurioRegistry;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.TopicSpec;
import pipeline.schemas.topics.Topics;

class LocalStackTest {

    @TempDir
    Path dataDir;

    @Test
    void bothEndpointsAnswerWhileRunningAndARestartKeepsTopicsRecordsAndSchemaIds() throws Exception {
        List<Long> firstPids;
        int imagesSchemaId;
        try (LocalStack stack = LocalStack.start(options())) {
            firstPids = stack.pids();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
                assertThat(admin.listTopics().names().get())
                        .containsAll(Topics.all().stream().map(TopicSpec::name).toList());
            }
            try (SchemaRegistryClient registry = new SchemaRegistryClient(RegistryClientOptions.of(stack.registryUrl()))) {
                assertThat(registry.subjects()).contains(Topics.IMAGES.valueSubject(), Topics.MODELS.valueSubject());
                imagesSchemaId = registry.latest(Topics.IMAGES.valueSubject()).id();
            }
            assertThat(stack.topics().created()).hasSize(Topics.all().size());
            produce(stack.bootstrapServers(), "kept-across-restarts");
        }
        assertThat(firstPids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isEmpty());

        try (LocalStack stack = LocalStack.start(options())) {
            assertThat(stack.topics().created()).isEmpty();
            assertThat(stack.topics().unchanged()).hasSize(Topics.all().size());
            assertThat(consumeAll(stack.bootstrapServers())).contains("kept-across-restarts");
            try (SchemaRegistryClient registry = new SchemaRegistryClient(RegistryClientOptions.of(stack.registryUrl()))) {
                assertThat(registry.latest(Topics.IMAGES.valueSubject()).id()).isEqualTo(imagesSchemaId);
            }
        }
    }

    private StackOptions options() {
        return new StackOptions(dataDir, 0, 0, 0, 0, ApicurioRegistry.defaultHome(), Duration.ofMinutes(2));
    }

    private static void produce(String bootstrap, String value) throws Exception {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.FEEDBACK.name(), "k", value)).get();
        }
    }

    private static List<String> consumeAll(String bootstrap) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "restart-check", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(Set.of(Topics.FEEDBACK.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
        }
        return values;
    }
}
