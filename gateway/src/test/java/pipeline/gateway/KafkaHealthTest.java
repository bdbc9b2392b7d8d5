package pipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;

/** When a failed publish makes the gateway refuse records, probing the real broker. */
@ExtendWith(RealInfrastructure.class)
class KafkaHealthTest {

    private static final Duration INTERVAL = Duration.ofMillis(500);

    @Test
    void aFailureOfARecordSentBeforeTheClusterLastAnsweredIsOnePartitionsAndRefusesNothing(TestKafka kafka) throws Exception {
        Vertx vertx = Vertx.vertx();
        try (KafkaHealth health = new KafkaHealth(vertx, KafkaConnection.plaintext(kafka.bootstrapServers()), INTERVAL)) {
            long sent = System.nanoTime();
            Thread.sleep(4 * INTERVAL.toMillis()); // Probes answer meanwhile.

            health.failed("Expiring 1 record(s) for images-3", sent);

            assertThat(health.unavailable()).as("a partition's failure after the cluster answered").isNull();
        } finally {
            vertx.close().await();
        }
    }

    @Test
    void aFailureOfARecordSentSinceTheLastAnswerRefusesRecordsUntilTheNextOne(TestKafka kafka) throws Exception {
        Vertx vertx = Vertx.vertx();
        try (KafkaHealth health = new KafkaHealth(vertx, KafkaConnection.plaintext(kafka.bootstrapServers()), INTERVAL)) {
            health.failed("Expiring 1 record(s) for images-3", System.nanoTime());

            assertThat(health.unavailable()).isEqualTo("Expiring 1 record(s) for images-3");
            long deadline = System.nanoTime() + 20 * INTERVAL.toNanos();
            while (health.unavailable() != null && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(health.unavailable()).as("after the next probe the cluster answered").isNull();
        } finally {
            vertx.close().await();
        }
    }
}
