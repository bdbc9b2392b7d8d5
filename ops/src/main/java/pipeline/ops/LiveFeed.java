package pipeline.ops;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import pipeline.ops.load.LoadGenerator;
import pipeline.ops.load.LoadImages;
import pipeline.ops.load.LoadOptions;

/**
 * {@code ./pipeline run --feed}: the committed sample images sent through the gateway as a camera
 * would, at a steady rate and for as long as the stack runs, with the true label of a share of them
 * sent back as feedback, so the trainer has labels to learn from. Every {@code interval} it prints
 * what happened since the last line: images sent and predicted, accuracy per model version, labels
 * sent back; and each model version the trainer publishes, with its held-out accuracy and status.
 */
final class LiveFeed implements AutoCloseable {

    private final LoadGenerator generator;
    private final Thread sending;
    private final Thread reporting;
    private final URI gateway;
    private final String key;
    private final Duration interval;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Per model version served, predictions and right ones since the last line: [predicted, right]. */
    private final Map<Integer, long[]> byVersion = new TreeMap<>();
    private final Set<Integer> versionsShown = new HashSet<>();
    private long sentBefore;
    private long feedbackBefore;

    private LiveFeed(LoadOptions options, List<LoadImages.Image> images, URI gateway, Duration interval, PrintStream out) {
        this.gateway = gateway;
        this.key = options.key();
        this.interval = interval;
        this.out = out;
        this.generator = new LoadGenerator(options, images, out, this::tally);
        this.sending = Thread.ofPlatform().name("live-feed").unstarted(this::send);
        this.reporting = Thread.ofPlatform().daemon().name("live-feed-report").unstarted(this::report);
    }

    /** Starts feeding the gateway with {@code options}' images, at their rate, sending back their share of labels. */
    static LiveFeed start(URI gateway, String key, FeedOptions options, Duration interval, PrintStream out) throws IOException {
        // Room for every image sent while predictions wait their 5 s (a model still warming up) and a margin, so none is dropped.
        LoadOptions load = new LoadOptions(gateway, key, options.rate(), Math.max(256, options.rate() * 12), null, Long.MAX_VALUE,
                Duration.ofSeconds(5), options.feedback(), options.idx() ? null : options.images(), options.idx() ? options.images() : null,
                "feed", null, true, null);
        List<LoadImages.Image> images = options.idx() ? LoadImages.fromIdx(options.images(), 10_000)
                : LoadImages.fromFolder(options.images(), 10_000);
        LiveFeed feed = new LiveFeed(load, images, gateway, interval, out);
        out.printf("Feeding %d images/s from %s through the gateway, %d %% of them labelled back; a line every %d s:%n",
                options.rate(), options.images(), Math.round(options.feedback() * 100), interval.toSeconds());
        feed.sending.start();
        feed.reporting.start();
        return feed;
    }

    private void send() {
        try {
            generator.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void tally(String id, LoadImages.Image image, int status, String body) {
        if (status != 200) {
            return;
        }
        JsonObject prediction = new JsonObject(body);
        long[] counts = byVersion.computeIfAbsent(prediction.getJsonObject("model").getInteger("version"), v -> new long[2]);
        counts[0]++;
        JsonArray top = prediction.getJsonArray("top");
        if (!top.isEmpty() && top.getJsonObject(0).getString("label").equals(image.label())) {
            counts[1]++;
        }
    }

    private void report() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(interval);
                out.println(line());
                newVersions().forEach(out::println);
                out.flush();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** What happened since the last line, e.g. {@code 12:00:10 feed: 500 sent, 498 predicted (v1 91.2 % right), 250 labels back}. */
    private synchronized String line() {
        LoadGenerator.Progress now = generator.progress();
        StringBuilder line = new StringBuilder(LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " feed: ")
                .append(now.done() - sentBefore).append(" sent, ");
        long predicted = byVersion.values().stream().mapToLong(c -> c[0]).sum();
        line.append(predicted).append(" predicted");
        if (!byVersion.isEmpty()) {
            line.append(" (");
            byVersion.forEach((version, c) -> line.append(String.format(Locale.ROOT, "v%d %.1f %% right, ", version, 100.0 * c[1] / c[0])));
            line.setLength(line.length() - 2);
            line.append(')');
        }
        line.append(", ").append(now.feedbackAccepted() - feedbackBefore).append(" labels back");
        if (now.failed() > 0) {
            line.append(", ").append(now.failed()).append(" failed so far");
        }
        sentBefore = now.done();
        feedbackBefore = now.feedbackAccepted();
        byVersion.clear();
        return line.toString();
    }

    /** Model versions on the gateway's catalogue not shown yet, one line each. */
    private List<String> newVersions() throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(gateway.resolve("/v1/models")).timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + key).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return List.of("  (models: the gateway answered " + response.statusCode() + ")");
            }
            return new JsonObject(response.body()).getJsonArray("models").stream().map(JsonObject.class::cast)
                    .filter(m -> versionsShown.add(m.getInteger("version")))
                    .map(LiveFeed::describe).toList();
        } catch (IOException e) {
            return List.of("  (models: " + e.getMessage() + ")");
        }
    }

    private static String describe(JsonObject model) {
        JsonObject metrics = model.getJsonObject("metrics");
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  model %s v%d %s", model.getString("name"),
                model.getInteger("version"), model.getString("status")));
        if (metrics.containsKey("heldOutAccuracy")) {
            line.append(String.format(Locale.ROOT, ": %.1f %% on %d held-out labels", 100 * metrics.getDouble("heldOutAccuracy"),
                    metrics.getDouble("heldOutSamples", 0.0).longValue()));
            if (metrics.containsKey("promotedHeldOutAccuracy")) {
                line.append(String.format(Locale.ROOT, " (served version: %.1f %%)", 100 * metrics.getDouble("promotedHeldOutAccuracy")));
            }
        } else if (metrics.containsKey("testAccuracy")) {
            line.append(String.format(Locale.ROOT, ": %.1f %% on its test set", 100 * metrics.getDouble("testAccuracy")));
        }
        return line.append(", ").append(model.getLong("samplesSeen")).append(" labels seen").toString();
    }

    /** Stops sending and waits for the requests in flight. */
    @Override
    public void close() {
        generator.stop();
        reporting.interrupt();
        try {
            sending.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
