package pipeline.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.schemas.topics.ConsumerGroups;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;

/** The trainer holds back while the workers' group is behind on its topic, and only then. */
@ExtendWith(RealInfrastructure.class)
class ServingPressureTest {

    static final int BACKLOG = 50;

    @Test
    void workersBehindBeyondTheThresholdHoldTrainingBackUntilTheyCatchUp(TestKafka kafka) throws Exception {
        String topic = TestKafka.uniqueName("images");
        String group = TestKafka.uniqueName("workers");
        String idle = TestKafka.uniqueName("no-workers-yet");
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
            ConsumerGroups.startAtEnd(admin, group, topic);
            produce(kafka, topic, BACKLOG);

            try (ServingPressure pressure = new ServingPressure(KafkaConnection.plaintext(kafka.bootstrapServers()), group, topic, 20);
                 ServingPressure never = new ServingPressure(KafkaConnection.plaintext(kafka.bootstrapServers()), group, topic, 0);
                 ServingPressure unread = new ServingPressure(KafkaConnection.plaintext(kafka.bootstrapServers()), idle, topic, 20)) {
                assertThat(pressure.servingBehind()).isTrue();
                assertThat(pressure.lag()).isEqualTo(BACKLOG);
                assertThat(never.servingBehind()).as("threshold 0: never yields").isFalse();
                assertThat(unread.servingBehind()).as("a group that has committed nothing").isFalse();

                assertThat(pressure.yieldWhileBehind(Duration.ofMillis(600), () -> false)).as("a yield is bounded")
                        .isBetween(Duration.ofMillis(600), Duration.ofSeconds(5));
                assertThat(pressure.yieldWhileBehind(Duration.ofSeconds(30), () -> true)).as("stopping ends a yield")
                        .isLessThan(Duration.ofSeconds(1));

                // The workers catch up half a second into a yield: it ends soon after.
                CompletableFuture<Void> catchUp = CompletableFuture.runAsync(() -> commitToEnd(admin, group, topic),
                        CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS));
                Duration waited = pressure.yieldWhileBehind(Duration.ofSeconds(30), () -> false);
                catchUp.get();
                assertThat(waited).isBetween(Duration.ofMillis(400), Duration.ofSeconds(10));
                assertThat(pressure.servingBehind()).isFalse();
            }
        }
    }

    private static void produce(TestKafka kafka, String topic, int records) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerConfig(), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, null, new byte[] {(byte) i}));
            }
        }
    }

    private static void commitToEnd(Admin admin, String group, String topic) {
        try {
            ConsumerGroups.startAtEnd(admin, group, topic);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
