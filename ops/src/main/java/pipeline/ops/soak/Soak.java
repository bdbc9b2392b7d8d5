package pipeline.ops.soak;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import pipeline.ops.load.LoadGenerator;
import pipeline.ops.load.LoadImages;
import pipeline.ops.load.LoadOptions;
import pipeline.ops.load.LoadReport;
import pipeline.ops.load.PrometheusText;

/**
 * {@code pipeline soak}: a steady load with feedback on a running local stack for a given number of
 * minutes, recording each minute's latency and failures, every process's resident memory, the
 * services' GC pauses, the workers' lag and the trainer's rounds; then a table, a plot and a
 * verdict ({@link SoakReport}).
 *
 * <pre>
 * pipeline soak [--minutes 30] [--warm-up N] [--out DIR] [--worker-metrics URL] [--trainer-metrics URL] LOAD-OPTIONS
 * </pre>
 * LOAD-OPTIONS are {@code pipeline load}'s, without {@code --duration} or {@code --count}: each minute is one
 * load of 60 s ({@code --rate 100 --feedback 0.5} by default).
 */
public final class Soak {

    public static final String USAGE = """
            Usage: pipeline soak [--minutes N] [--warm-up N] [--out DIR] [--worker-metrics URL] [--trainer-metrics URL] [load options]

              --minutes          how long (default 30), each minute one load of 60 s
              --warm-up          minutes before memory must stay flat (default a sixth, at least 2): until the gateway's
                                 prediction cache and the trainer's buffers are full
              --out              where soak.md and soak.png go (default .local-stack/soak)
              --worker-metrics   a worker's metrics (default http://127.0.0.1:9400/metrics)
              --trainer-metrics  the trainer's (default http://127.0.0.1:9500/metrics)
              load options       as pipeline load's, without --duration or --count (default --rate 100 --feedback 0.5)
            Run it beside ./pipeline run: it reads the stack's processes from /proc and their /metrics.""";

    private static final String GC = "jvm_gc_pause_seconds";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Soak() {
    }

    /** Runs the soak {@code args} describe; returns 0 when the verdict holds, 1 when not. */
    public static int run(List<String> args, Path keyFile, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        Map<String, String> own = new HashMap<>(Map.of("--minutes", "30", "--warm-up", "0", "--out", ".local-stack/soak",
                "--worker-metrics", "http://127.0.0.1:9400/metrics", "--trainer-metrics", "http://127.0.0.1:9500/metrics"));
        List<String> load = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            if (own.containsKey(args.get(i)) && i + 1 < args.size()) {
                own.put(args.get(i), args.get(++i));
            } else if (List.of("--duration", "--count").contains(args.get(i))) {
                throw new IllegalArgumentException(args.get(i) + " is not a soak option; each minute is a load of 60 s (--minutes N)");
            } else {
                load.add(args.get(i));
            }
        }
        int minutes = Integer.parseInt(own.get("--minutes"));
        int warmUp = own.get("--warm-up").equals("0") ? Math.max(2, minutes / 6) : Integer.parseInt(own.get("--warm-up"));
        if (warmUp < 1 || minutes < warmUp + 1) {
            throw new IllegalArgumentException("--minutes is " + minutes + " and --warm-up " + warmUp + "; expected at least one"
                    + " minute of warm-up and one after it");
        }
        if (!load.contains("--rate") && !load.contains("--concurrency")) {
            load.addAll(List.of("--rate", "100"));
        }
        if (!load.contains("--feedback")) {
            load.addAll(List.of("--feedback", "0.5"));
        }
        load.addAll(List.of("--duration", "60s", "--quiet", "--source", "soak"));
        LoadOptions options = LoadOptions.parse(load, keyFile);
        List<LoadImages.Image> images = options.images() != null
                ? LoadImages.fromFolder(options.images(), 100_000) : LoadImages.fromIdx(options.idx(), 10_000);
        Map<String, URI> metrics = new LinkedHashMap<>();
        metrics.put("gateway", options.target().resolve("/metrics"));
        metrics.put("worker-1", URI.create(own.get("--worker-metrics")));
        metrics.put("trainer", URI.create(own.get("--trainer-metrics")));
        err.println("Soak: " + minutes + " minutes of " + options.describe() + ", " + images.size() + " distinct images");

        List<SoakMinute> record = new ArrayList<>();
        Map<String, Double> gcBefore = each(scrapeAll(metrics), text -> PrometheusText.sum(text, GC + "_sum"));
        for (int minute = 1; minute <= minutes; minute++) {
            LoadReport report = new LoadGenerator(options, images, err).run();
            Map<String, String> now = scrapeAll(metrics);
            Map<String, Double> gcNow = each(now, text -> PrometheusText.sum(text, GC + "_sum"));
            Map<String, Double> gcMillis = new LinkedHashMap<>();
            gcNow.forEach((service, total) -> gcMillis.put(service, 1000 * (total - gcBefore.getOrDefault(service, 0.0))));
            gcBefore.putAll(gcNow);
            long failed = report.requests() - report.accepted() + report.errors().values().stream().mapToLong(Long::longValue).sum();
            SoakMinute sample = new SoakMinute(minute, report.requests(), failed,
                    report.latencyMicros().getValueAtPercentile(50) / 1000.0, report.latencyMicros().getValueAtPercentile(99) / 1000.0,
                    StackProcesses.now(), gcMillis, each(now, text -> 1000 * PrometheusText.max(text, GC + "_max")),
                    each(now, text -> PrometheusText.sum(text, "worker_consumer_lag")).get("worker-1"),
                    each(now, text -> PrometheusText.sum(text, "trainer_round_time_seconds_count")).get("trainer"));
            record.add(sample);
            err.printf("minute %d: %d requests, %d failed, p99 %.1f ms, RSS %s%n", minute, sample.requests(), sample.failed(),
                    sample.p99Millis(), SoakReport.rssLine(sample));
        }
        Path dir = Path.of(own.get("--out"));
        Files.createDirectories(dir);
        SoakReport soak = new SoakReport(record, options.describe(), warmUp);
        Files.writeString(dir.resolve("soak.md"), soak.markdown());
        soak.draw(dir.resolve("soak.png"));
        out.print(soak.markdown());
        out.println("Table and plot: " + dir.resolve("soak.md") + ", " + dir.resolve("soak.png"));
        return soak.verdict().holds() ? 0 : 1;
    }

    /** Each service's {@code /metrics} now, by service; {@code null} for one that cannot be read (it is down). */
    private static Map<String, String> scrapeAll(Map<String, URI> metrics) throws InterruptedException {
        Map<String, String> texts = new LinkedHashMap<>();
        for (Map.Entry<String, URI> service : metrics.entrySet()) {
            texts.put(service.getKey(), exposition(service.getValue()));
        }
        return texts;
    }

    /** {@code value} of each service's exposition, NaN for a service that could not be read. */
    private static Map<String, Double> each(Map<String, String> texts, ToDoubleFunction<String> value) {
        Map<String, Double> values = new LinkedHashMap<>();
        texts.forEach((service, text) -> values.put(service, text == null ? Double.NaN : value.applyAsDouble(text)));
        return values;
    }

    private static String exposition(URI uri) throws InterruptedException {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
