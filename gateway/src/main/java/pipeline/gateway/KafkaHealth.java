package pipeline.gateway;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.schemas.topics.KafkaConnection;

/**
 * Whether Kafka is taking records, so that while it is not, requests are refused at once ({@code 503}
 * with Retry-After) instead of piling up in the producer's buffer. A probe asks the cluster to
 * describe itself every {@code interval}, with the interval as its timeout, so a broker that goes
 * away is noticed within two intervals and one that comes back within one; a publish that fails
 * marks Kafka unavailable at once, and the next good probe brings it back.
 */
final class KafkaHealth implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaHealth.class);

    private final Vertx vertx;
    private final Admin admin;
    private final Duration interval;
    private final long timer;
    private volatile String unavailable;
    /** {@link System#nanoTime} of the last probe the cluster answered. */
    private volatile long lastAnswer = System.nanoTime();
    private boolean probing;

    KafkaHealth(Vertx vertx, KafkaConnection kafka, Duration interval) {
        this.vertx = vertx;
        this.interval = interval;
        int millis = (int) interval.toMillis();
        Map<String, Object> config = kafka.clientConfig();
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "gateway-health-" + ProcessHandle.current().pid());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, millis);
        this.admin = Admin.create(config);
        this.timer = vertx.setPeriodic(0, millis, id -> probe());
    }

    /** {@code null} while Kafka takes records; otherwise why it is thought not to. */
    String unavailable() {
        return unavailable;
    }

    /**
     * A record sent at {@code sentNanos} failed for a reason that may say the cluster is unreachable. When the cluster
     * answered a probe since, the failure was one partition's (its leader lost, another not yet elected): the other
     * partitions take records, so the gateway goes on taking them.
     */
    void failed(String reason, long sentNanos) {
        if (lastAnswer - sentNanos <= 0) {
            markDown(reason);
        }
    }

    private void markDown(String reason) {
        if (unavailable == null) {
            LOG.warn("Kafka unavailable ({}); refusing records until it answers again", reason);
        }
        unavailable = reason;
    }

    private void probe() {
        if (probing) {
            return;
        }
        probing = true;
        vertx.executeBlocking(() -> admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) interval.toMillis()))
                        .clusterId().get(2 * interval.toMillis(), TimeUnit.MILLISECONDS), false)
                .onComplete(done -> {
                    probing = false;
                    if (done.succeeded()) {
                        if (unavailable != null) {
                            LOG.info("Kafka answers again; taking records");
                        }
                        unavailable = null;
                        lastAnswer = System.nanoTime();
                    } else {
                        markDown("the cluster did not answer within " + interval.toMillis() + " ms");
                    }
                });
    }

    @Override
    public void close() {
        vertx.cancelTimer(timer);
        admin.close(Duration.ofSeconds(2));
    }
}
