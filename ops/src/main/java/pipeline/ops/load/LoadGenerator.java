package pipeline.ops.load;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Sends images to the gateway as a bounded load and measures the answers. Open loop: requests leave
 * at a fixed rate whatever the answers take (latency counts from when each was due, so a slow
 * gateway cannot hide its queue); closed loop: a fixed number in flight, the next leaving when one
 * returns. It stops by itself after its duration or count and waits for the requests in flight.
 */
public final class LoadGenerator {

    private static final long HIGHEST_MICROS = Duration.ofMinutes(10).toNanos() / 1000;
    private static final int BAR = 30;

    private final LoadOptions options;
    private final List<LoadImages.Image> images;
    private final PrintStream progress;
    /** HTTP/1.1, a connection per request in flight, as cameras and scripts send; one HTTP/2 connection would cap streams. */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private final Histogram latency = new ConcurrentHistogram(HIGHEST_MICROS, 3);
    /** With {@code --trainer}: the same latencies, split by whether a training round ran while the request was served. */
    private final Histogram duringRounds = new ConcurrentHistogram(HIGHEST_MICROS, 3);
    private final Histogram betweenRounds = new ConcurrentHistogram(HIGHEST_MICROS, 3);
    private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final AtomicLong next = new AtomicLong();
    private final LongAdder done = new LongAdder();
    private final LongAdder predicted = new LongAdder();
    private final LongAdder correct = new LongAdder();
    private final LongAdder feedbackSent = new LongAdder();
    private final LongAdder feedbackAccepted = new LongAdder();
    private final AnswerObserver observer;
    private RoundWatch rounds;
    private volatile long startNanos;
    private volatile boolean stopped;

    /** Told of each answer to an image request, from the request's thread. */
    @FunctionalInterface
    public interface AnswerObserver {
        /**
         * @param id     the image id the request gave
         * @param status the HTTP status: 202 accepted, 200 with the prediction as {@code body} (with {@code --wait}), …
         * @param body   the gateway's JSON answer
         */
        void answered(String id, LoadImages.Image image, int status, String body);
    }

    public LoadGenerator(LoadOptions options, List<LoadImages.Image> images, PrintStream progress) {
        this(options, images, progress, (id, image, status, body) -> { });
    }

    public LoadGenerator(LoadOptions options, List<LoadImages.Image> images, PrintStream progress, AnswerObserver observer) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("a load needs at least one image");
        }
        this.options = options;
        this.images = images;
        this.progress = progress;
        this.observer = observer;
    }

    /**
     * Counts so far.
     *
     * @param done             requests answered (or dropped)
     * @param feedbackAccepted feedback requests the gateway accepted
     * @param failed           requests that failed or got a status of 400 or above
     */
    public record Progress(long done, long feedbackAccepted, long failed) {
    }

    public Progress progress() {
        long failed = errors.values().stream().mapToLong(LongAdder::sum).sum()
                + statuses.entrySet().stream().filter(e -> e.getKey() >= 400).mapToLong(e -> e.getValue().sum()).sum();
        return new Progress(done.sum(), feedbackAccepted.sum(), failed);
    }

    /** Ends the load early: no request leaves after this; {@link #run()} returns once those in flight are answered. */
    public void stop() {
        stopped = true;
    }

    public LoadReport run() throws InterruptedException {
        startNanos = System.nanoTime();
        long deadline = options.duration() == null ? Long.MAX_VALUE : startNanos + options.duration().toNanos();
        Thread bar = options.quiet() ? null : Thread.ofPlatform().daemon().name("load-progress").start(this::showProgress);
        rounds = options.trainer() == null ? null : new RoundWatch(options.trainer());
        try (ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor()) {
            if (options.rate() > 0) {
                openLoop(requests, deadline);
            } else {
                for (int c = 0; c < options.concurrency(); c++) {
                    requests.submit(() -> {
                        long i;
                        while (!stopped && (i = next.getAndIncrement()) < options.count() && System.nanoTime() < deadline) {
                            send(i, System.nanoTime());
                        }
                    });
                }
            }
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        if (bar != null) {
            bar.interrupt();
            bar.join();
            progress.println();
        }
        LoadReport.Rounds split = null;
        if (rounds != null) {
            rounds.close();
            split = new LoadReport.Rounds(rounds.rounds(), duringRounds, betweenRounds, rounds.failure());
        }
        return new LoadReport(options.describe(), done.sum(), seconds, latency, totals(statuses), totals(errors), predicted.sum(),
                correct.sum(), feedbackSent.sum(), feedbackAccepted.sum(), split);
    }

    /** Requests due every {@code 1/rate} s; when the cap on requests in flight is reached, a due request is counted as dropped. */
    private void openLoop(ExecutorService requests, long deadline) {
        Semaphore inFlight = new Semaphore(options.concurrency());
        double interval = 1e9 / options.rate();
        for (long i = 0; i < options.count(); i++) {
            long due = startNanos + (long) (i * interval);
            if (due >= deadline) {
                break;
            }
            long now;
            while ((now = System.nanoTime()) < due && !stopped) {
                LockSupport.parkNanos(due - now);
            }
            if (stopped) {
                break;
            }
            next.set(i + 1);
            if (!inFlight.tryAcquire()) {
                errors.computeIfAbsent("DROPPED_OVER_" + options.concurrency() + "_IN_FLIGHT", k -> new LongAdder()).increment();
                done.increment();
                continue;
            }
            long index = i;
            requests.submit(() -> {
                try {
                    send(index, due);
                } finally {
                    inFlight.release();
                }
            });
        }
    }

    private void send(long i, long dueNanos) {
        LoadImages.Image image = images.get((int) (i % images.size()));
        String id = options.source() + "-" + run + "-" + i;
        StringBuilder query = new StringBuilder("?id=").append(id).append("&source=")
                .append(URLEncoder.encode(options.source(), StandardCharsets.UTF_8));
        if (options.waitFor() != null) {
            query.append("&wait=").append(options.waitFor().toMillis()).append("ms");
        }
        HttpRequest request = HttpRequest.newBuilder(options.target().resolve("/v1/images" + query))
                .timeout(Duration.ofSeconds(30).plus(options.waitFor() == null ? Duration.ZERO : options.waitFor()))
                .header("Authorization", "Bearer " + options.key()).header("Content-Type", image.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(image.bytes())).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            long micros = Math.min(HIGHEST_MICROS, (System.nanoTime() - dueNanos) / 1000);
            latency.recordValue(micros);
            if (rounds != null) {
                (rounds.roundSince(dueNanos) ? duringRounds : betweenRounds).recordValue(micros);
            }
            statuses.computeIfAbsent(response.statusCode(), k -> new LongAdder()).increment();
            observer.answered(id, image, response.statusCode(), response.body());
            if (response.statusCode() == 200) {
                JsonArray top = new JsonObject(response.body()).getJsonArray("top");
                if (image.label() != null) {
                    predicted.increment();
                    if (!top.isEmpty() && image.label().equals(top.getJsonObject(0).getString("label"))) {
                        correct.increment();
                    }
                }
            }
            if ((response.statusCode() == 200 || response.statusCode() == 202) && image.label() != null && chosenForFeedback(i)) {
                sendFeedback(id, image.label());
            }
        } catch (IOException e) {
            errors.computeIfAbsent(e.getClass().getSimpleName() + ": " + e.getMessage(), k -> new LongAdder()).increment();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            done.increment();
        }
    }

    /** Spreads feedback evenly over the images: request i is chosen when its golden-ratio fraction is under the share. */
    private boolean chosenForFeedback(long i) {
        double fraction = (i * 0.6180339887498949) % 1.0;
        return fraction < options.feedback();
    }

    private void sendFeedback(String id, String label) throws IOException, InterruptedException {
        feedbackSent.increment();
        HttpRequest request = HttpRequest.newBuilder(options.target().resolve(URI.create("/v1/images/" + id + "/feedback")))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + options.key())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("label", label).put("author", "load").encode())).build();
        if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 202) {
            feedbackAccepted.increment();
        }
    }

    private void showProgress() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            double elapsed = (System.nanoTime() - startNanos) / 1e9;
            double share = options.duration() != null ? elapsed / options.duration().toSeconds() : (double) done.sum() / options.count();
            int filled = (int) Math.min(BAR, Math.round(share * BAR));
            long failed = progress().failed();
            progress.printf("\r%6.1f s [%s%s] %3d %%  %d done  %.0f req/s  p99 %.1f ms  failed %d ", elapsed, "#".repeat(filled),
                    "-".repeat(BAR - filled), Math.round(Math.min(1, share) * 100), done.sum(), done.sum() / elapsed,
                    latency.getValueAtPercentile(99) / 1000.0, failed);
            progress.flush();
        }
    }

    private static <K> Map<K, Long> totals(Map<K, LongAdder> counts) {
        Map<K, Long> totals = new HashMap<>();
        counts.forEach((k, v) -> totals.put(k, v.sum()));
        return totals;
    }
}
