package pipeline.trainer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.schemas.topics.KafkaConnection;

/**
 * Whether the inference workers are behind: how many records of their topic ({@code images}) their
 * consumer group has not committed yet, read with an admin client at most every {@value #CHECK_MILLIS} ms. A trainer that
 * shares machines with workers defers its rounds and pauses between steps while they are more than a
 * threshold behind, so that training takes the CPU serving leaves rather than what serving needs (a
 * lower scheduling priority alone does not: each wake-up of a worker thread the trainer delays holds
 * back a whole forward pass).
 *
 * <p>Partitions the group never committed on do not count (no worker has read them yet), and when the
 * lag cannot be read the workers count as not behind: a broker hiccup must not stop training. Used by
 * one thread.
 */
public final class ServingPressure implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServingPressure.class);
    private static final long CHECK_MILLIS = 250;
    private static final long TIMEOUT_MILLIS = 2_000;

    private final Admin admin;
    private final String group;
    private final String topic;
    private final long threshold;
    private long checkedAt;
    private long lag;

    /**
     * @param group     the workers' consumer group
     * @param topic     what they read: {@code images}
     * @param threshold images behind from which the workers count as behind; 0 never does (no yielding)
     */
    public ServingPressure(KafkaConnection kafka, String group, String topic, long threshold) {
        if (threshold < 0) {
            throw new IllegalArgumentException("the lag threshold is a number of images, 0 or more; got " + threshold);
        }
        this.group = group;
        this.topic = topic;
        this.threshold = threshold;
        Map<String, Object> config = kafka.clientConfig();
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "trainer-serving-pressure");
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MILLIS);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MILLIS);
        this.admin = threshold == 0 ? null : Admin.create(config);
        this.checkedAt = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(CHECK_MILLIS);
    }

    /** Whether the workers are more than the threshold behind, as read at most {@value #CHECK_MILLIS} ms ago. */
    public boolean servingBehind() {
        if (threshold == 0) {
            return false;
        }
        if (System.nanoTime() - checkedAt >= TimeUnit.MILLISECONDS.toNanos(CHECK_MILLIS)) {
            lag = readLag();
            checkedAt = System.nanoTime();
        }
        return lag > threshold;
    }

    /** The workers' lag in images at the last reading (0 before the first, or when it could not be read). */
    public long lag() {
        return lag;
    }

    /**
     * Waits while the workers are behind, for at most {@code atMost}, and returns how long it waited;
     * returns early when {@code stopping} turns true.
     */
    public Duration yieldWhileBehind(Duration atMost, BooleanSupplier stopping) {
        long start = System.nanoTime();
        long deadline = start + atMost.toNanos();
        while (System.nanoTime() < deadline && !stopping.getAsBoolean() && servingBehind()) {
            try {
                Thread.sleep(Math.min(CHECK_MILLIS, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private long readLag() {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            committed.forEach((partition, offset) -> {
                if (partition.topic().equals(topic) && offset != null) {
                    ends.put(partition, OffsetSpec.latest());
                }
            });
            if (ends.isEmpty()) {
                return 0;
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> latest = admin.listOffsets(ends).all()
                    .get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            long behind = 0;
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end : latest.entrySet()) {
                behind += Math.max(0, end.getValue().offset() - committed.get(end.getKey()).offset());
            }
            return behind;
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("Cannot read the lag of group {} on {} ({}); counting the workers as not behind", group, topic,
                    e.toString());
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }
}
