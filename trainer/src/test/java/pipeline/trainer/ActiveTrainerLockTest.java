package pipeline.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.config.Settings;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;

/** One active trainer per model on the real broker: a standby waits without unseating it, and takes over when it leaves. */
@ExtendWith(RealInfrastructure.class)
class ActiveTrainerLockTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aStandbyJoiningLeavesTheActiveTrainerInPlaceAndTakesOverWhenItLeaves(TestKafka kafka) throws Exception {
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
        }
        TrainerSettings settings = TrainerSettings.from(Settings.load(TrainerSettings.ALL, null, Map.of(
                "PIPELINE_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "PIPELINE_TRAINER_APPLICATION_ID", TestKafka.uniqueName("lock"))));
        AtomicInteger firstLost = new AtomicInteger();
        AtomicInteger secondLost = new AtomicInteger();
        ActiveTrainerLock first = new ActiveTrainerLock(settings, firstLost::incrementAndGet);
        ActiveTrainerLock second;
        try {
            assertThat(first.awaitActive(WAIT)).as("the only trainer is the active one").isTrue();

            second = new ActiveTrainerLock(settings, secondLost::incrementAndGet);

            assertThat(second.awaitActive(Duration.ofSeconds(8))).as("the second trainer stands by").isFalse();
            assertThat(firstLost).as("the first trainer was not told it lost the lock").hasValue(0);
        } finally {
            first.close();
        }
        try (second) {
            assertThat(second.awaitActive(WAIT)).as("the standby is active once the first has left").isTrue();
            assertThat(secondLost).hasValue(0);
        }
    }
}
