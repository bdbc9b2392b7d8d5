package pipeline.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.schemas.avro.ImageEvent;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroSerializer;
import pipeline.schemas.serde.SerdeOptions;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

/** How many batches a transaction takes: all it can under load, and a lone batch at once. */
@ExtendWith(RealInfrastructure.class)
class BatchCommitterTest {

    static final Duration SPAN = Duration.ofMillis(400);

    @Test
    void underLoadATransactionStaysOpenItsSpanAndALoneBatchCommitsAtOnce(TestKafka kafka, TestRegistry registry)
            throws Exception {
        String id = TestKafka.uniqueName("committer");
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
            admin.createTopics(List.of(new NewTopic(id, 1, (short) 1))).all().get();
        }
        WorkerMetrics metrics = new WorkerMetrics(new AtomicReference<>(), () -> 0, () -> 0);
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             KafkaProducer<String, SpecificRecord> producer = producer(kafka, client, id)) {
            producer.initTransactions();
            try (BatchCommitter committer = new BatchCommitter(producer, metrics, id, SPAN)) {
                // A batch every 2 ms or so for about a second: faster than transactions commit, so that they
                // take several batches each, and then the whole span's.
                int batches = 400;
                for (int i = 0; i < batches; i++) {
                    committer.submit(List.of(output(id, i)), offsets(i), new ConsumerGroupMetadata(id));
                    Thread.sleep(2);
                }
                assertThat(committer.await()).isEmpty();
                double loaded = metrics.transactions();
                assertThat(loaded).as("transactions for %d batches 2 ms apart", batches)
                        .isBetween(2.0, (double) batches / 20);

                // Idle now: the first lone batch may still be taken as load (its transaction waits out one span);
                // after that, each lone batch commits without waiting for a span.
                committer.submit(List.of(output(id, batches)), offsets(batches), new ConsumerGroupMetadata(id));
                committer.await();
                long start = System.nanoTime();
                committer.submit(List.of(output(id, batches + 1)), offsets(batches + 1), new ConsumerGroupMetadata(id));
                assertThat(committer.await()).isEmpty();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("a lone batch's commit").isLessThan(SPAN);
            }
        }
    }

    /** An output to the test's own topic. */
    private static ProducerRecord<String, SpecificRecord> output(String run, int i) {
        return new ProducerRecord<>(run, run + "-" + i, ImageEvent.newBuilder().setId(run + "-" + i)
                .setSource("test").setTimestamp(Instant.now()).setContentType("image/png")
                .setImage(ByteBuffer.wrap(new byte[] {1, 2, 3})).build());
    }

    private static Map<TopicPartition, OffsetAndMetadata> offsets(int i) {
        return Map.of(new TopicPartition(Topics.IMAGES.name(), 0), new OffsetAndMetadata(i + 1L));
    }

    private static KafkaProducer<String, SpecificRecord> producer(TestKafka kafka, SchemaRegistryClient client, String id) {
        Map<String, Object> config = kafka.producerConfig();
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        return new KafkaProducer<>(config, new StringSerializer(), new AvroSerializer<>(client, SerdeOptions.DEFAULTS, false));
    }
}
