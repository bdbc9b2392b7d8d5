package pipeline.trainer;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.schemas.topics.KafkaAccessException;
import pipeline.schemas.topics.Topics;

/**
 * One active trainer per model, the others standing by. Every trainer of a model joins one consumer
 * group on {@code models}, which has a single partition: the member assigned it is the active trainer,
 * the others wait, and one of them is assigned it when the active one leaves (at once when it stops,
 * {@link #SESSION} after it crashed). The group's offsets are never used; the partition is paused.
 * A trainer that loses the partition while active (its session expired) is told so it stops: by then
 * another may train, and the transactional id would fence it anyway.
 */
final class ActiveTrainerLock implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ActiveTrainerLock.class);

    /** How long after a crash a standby takes over. */
    static final Duration SESSION = Duration.ofSeconds(10);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final CountDownLatch active = new CountDownLatch(1);
    private final Thread member;
    private final Runnable lost;
    private volatile boolean held;
    private volatile KafkaAccessException refusal;

    /**
     * Joins the model's group and keeps its membership on a thread of its own.
     *
     * @param lost run (once, on the member thread) when the lock is lost after it was held
     */
    ActiveTrainerLock(TrainerSettings settings, Runnable lost) {
        this.lost = lost;
        Map<String, Object> config = settings.kafka().clientConfig();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, settings.activeGroup());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.activeGroup() + "-" + ProcessHandle.current().pid());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) SESSION.toMillis());
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) SESSION.toMillis() / 5);
        // Sticky and cooperative: a standby joining leaves the partition with the active trainer. The eager default
        // revokes it from every member at each rebalance, so a standby's arrival stopped the active one.
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.member = Thread.ofPlatform().name("trainer-active-lock").start(this::keepMembership);
    }

    /**
     * Blocks until this trainer is the active one; false when {@code timeout} passed first.
     *
     * @throws KafkaAccessException when the cluster refused this trainer's principal the group
     */
    boolean awaitActive(Duration timeout) throws InterruptedException {
        boolean done = active.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (refusal != null) {
            throw refusal;
        }
        return done;
    }

    private void keepMembership() {
        TopicPartition only = new TopicPartition(Topics.MODELS.name(), 0);
        try {
            consumer.subscribe(List.of(Topics.MODELS.name()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    release(partitions.contains(only));
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    release(partitions.contains(only));
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (partitions.contains(only)) {
                        consumer.pause(partitions);
                        held = true;
                        active.countDown();
                    }
                }
            });
            while (!Thread.currentThread().isInterrupted()) {
                consumer.poll(Duration.ofSeconds(1));
            }
        } catch (WakeupException e) {
            // close() was called.
        } catch (AuthorizationException e) {
            refusal = KafkaAccessException.refused("trainer", e);
            active.countDown();
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void release(boolean wasOurs) {
        if (wasOurs && held) {
            held = false;
            LOG.error("This trainer is no longer the active one of its model (its group membership ended); it stops");
            lost.run();
        }
    }

    /** Leaves the group: a standby takes over at once. */
    @Override
    public void close() {
        held = false;
        consumer.wakeup();
        try {
            member.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
