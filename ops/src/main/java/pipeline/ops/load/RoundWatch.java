package pipeline.ops.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches a trainer's {@code /metrics} for its {@code trainer_round_running} gauge every 100 ms, so a load can
 * tell the latency of requests served while a training round took the cores from the latency between rounds.
 * A request counts as served during a round when a round was seen running at any poll from its due time to
 * its answer.
 */
final class RoundWatch implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(100);
    private static final String GAUGE = "trainer_round_running";

    private final URI metrics;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** {@link System#nanoTime()} of the last poll that saw a round running; {@link Long#MIN_VALUE} before any. */
    private final AtomicLong lastSeenRunning = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong rounds = new AtomicLong();
    private final Thread poller;
    private volatile boolean running;
    private volatile String failure;

    /** @param metrics the trainer's metrics, e.g. {@code http://127.0.0.1:9500/metrics} */
    RoundWatch(URI metrics) {
        this.metrics = metrics;
        this.poller = Thread.ofPlatform().daemon().name("round-watch").start(this::poll);
    }

    /** Whether a round was running at some poll since {@code sinceNanos} (or is running now). */
    boolean roundSince(long sinceNanos) {
        return running || lastSeenRunning.get() >= sinceNanos;
    }

    /** Rounds seen starting while watching. */
    long rounds() {
        return rounds.get();
    }

    /** Why the trainer's metrics could not be read at the last failed poll, or {@code null}. */
    String failure() {
        return failure;
    }

    private void poll() {
        HttpRequest request = HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(2)).GET().build();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                boolean now = response.statusCode() == 200 && gauge(response.body()) > 0;
                if (response.statusCode() != 200) {
                    failure = metrics + " answered " + response.statusCode() + "; expected 200 with " + GAUGE;
                }
                if (now) {
                    if (!running) {
                        rounds.incrementAndGet();
                    }
                    lastSeenRunning.set(System.nanoTime());
                }
                running = now;
                Thread.sleep(POLL);
            } catch (IOException e) {
                failure = metrics + " could not be read: " + e.getMessage();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The gauge's value in a Prometheus text exposition, or 0 when it is not there. */
    static double gauge(String exposition) {
        return PrometheusText.sum(exposition, GAUGE);
    }

    @Override
    public void close() {
        poller.interrupt();
    }
}
