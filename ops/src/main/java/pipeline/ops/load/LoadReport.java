package pipeline.ops.load;

import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What a load measured: requests/s, latency percentiles (HdrHistogram, microseconds, corrected for
 * coordinated omission in the open loop: latency counts from when a request was due), answers by
 * status, transport errors, and accuracy where the true labels and the predictions are known; with a
 * trainer watched, the latency of requests served while its rounds ran apart from those between rounds.
 */
public record LoadReport(String description, long requests, double seconds, Histogram latencyMicros,
                         Map<Integer, Long> statuses, Map<String, Long> errors, long predicted, long correct,
                         long feedbackSent, long feedbackAccepted, Rounds rounds) {

    /**
     * Latency split by the trainer's rounds.
     *
     * @param started  rounds seen starting during the load
     * @param during   requests served while a round ran (at any moment from due to answer)
     * @param between  the others
     * @param failure  why the trainer's metrics could not be read at some poll, or {@code null}
     */
    public record Rounds(long started, Histogram during, Histogram between, String failure) {

        /** p99 while rounds ran over p99 between them (NaN without requests on either side). */
        public double p99Ratio() {
            return during.getTotalCount() == 0 || between.getTotalCount() == 0 ? Double.NaN
                    : (double) during.getValueAtPercentile(99) / between.getValueAtPercentile(99);
        }
    }

    private static final double[] PERCENTILES = {50, 90, 99, 99.9};

    public double requestsPerSecond() {
        return requests / seconds;
    }

    /** Accepted (202) or answered with a prediction (200). */
    public long accepted() {
        return statuses.getOrDefault(202, 0L) + statuses.getOrDefault(200, 0L);
    }

    public void print(PrintStream out) {
        out.println(description);
        out.printf("requests      %d in %.1f s = %.1f requests/s; accepted %d%n", requests, seconds, requestsPerSecond(), accepted());
        StringBuilder latency = new StringBuilder();
        for (double p : PERCENTILES) {
            latency.append(String.format("p%s %.1f ms  ", format(p), latencyMicros.getValueAtPercentile(p) / 1000.0));
        }
        out.printf("latency       %smax %.1f ms%n", latency, latencyMicros.getMaxValue() / 1000.0);
        out.printf("statuses      %s%n", new TreeMap<>(statuses));
        if (!errors.isEmpty()) {
            out.printf("errors        %s%n", new TreeMap<>(errors));
        }
        if (predicted > 0) {
            out.printf("accuracy      %.2f %% of %d predictions with a known label%n", 100.0 * correct / predicted, predicted);
        }
        if (feedbackSent > 0) {
            out.printf("feedback      %d sent, %d accepted%n", feedbackSent, feedbackAccepted);
        }
        if (rounds != null) {
            out.printf("rounds        %d started; while one ran: %s; between: %s; p99 ratio %.2f%n", rounds.started(),
                    summary(rounds.during()), summary(rounds.between()), rounds.p99Ratio());
            if (rounds.failure() != null) {
                out.printf("              (%s)%n", rounds.failure());
            }
        }
    }

    private static String summary(Histogram h) {
        return h.getTotalCount() == 0 ? "no requests" : String.format("%d requests, p50 %.1f ms, p99 %.1f ms", h.getTotalCount(),
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0);
    }

    private static JsonObject percentiles(Histogram h) {
        JsonObject latency = new JsonObject();
        for (double p : PERCENTILES) {
            latency.put("p" + format(p), h.getValueAtPercentile(p) / 1000.0);
        }
        return latency.put("max", h.getMaxValue() / 1000.0).put("mean", h.getMean() / 1000.0).put("count", h.getTotalCount());
    }

    public JsonObject toJson() {
        JsonObject latency = percentiles(latencyMicros);
        JsonObject byStatus = new JsonObject();
        new TreeMap<>(statuses).forEach((status, n) -> byStatus.put(Integer.toString(status), n));
        JsonObject byError = new JsonObject();
        new TreeMap<>(errors).forEach(byError::put);
        JsonObject json = new JsonObject().put("description", description).put("requests", requests).put("seconds", seconds)
                .put("requestsPerSecond", requestsPerSecond()).put("accepted", accepted()).put("latencyMillis", latency)
                .put("statuses", byStatus).put("errors", byError);
        if (predicted > 0) {
            json.put("predicted", predicted).put("correct", correct).put("accuracy", (double) correct / predicted);
        }
        if (rounds != null) {
            json.put("rounds", new JsonObject().put("started", rounds.started()).put("during", percentiles(rounds.during()))
                    .put("between", percentiles(rounds.between())).put("p99Ratio", Double.isNaN(rounds.p99Ratio()) ? null : rounds.p99Ratio()));
        }
        return json.put("feedbackSent", feedbackSent).put("feedbackAccepted", feedbackAccepted);
    }

    private static String format(double percentile) {
        return percentile == Math.rint(percentile) ? Long.toString((long) percentile) : Double.toString(percentile);
    }
}
