package pipeline.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.function.LongSupplier;
import pipeline.schemas.avro.ModelAccuracy;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.avro.TrainingMetrics;

/**
 * {@code GET /v1/stats}: what the system did lately, for the UI's charts. From the predictions the
 * gateway follows, per 5-second bucket over the last 5 minutes: images predicted per second, the
 * latency percentiles (image accepted → its batch's forward pass done) and the mean batch size;
 * from {@code model-accuracy}, the trainer's windows of live accuracy per model version; from
 * {@code training-metrics}, each training round's loss and held-out accuracy.
 */
final class SystemStats {

    static final long BUCKET_MILLIS = 5_000;
    static final int BUCKETS = 60;
    /** Latencies kept per bucket for its percentiles; beyond it a bucket still counts images. */
    private static final int SAMPLES_PER_BUCKET = 20_000;
    private static final int RECENT_RECORDS = 240;

    /** One bucket's counts, open while its time lasts; summarised once when the next one opens. */
    private static final class Bucket {
        final long start;
        long images;
        long batchSizes;
        int samples;
        long[] latencies = new long[64];
        /** The summary of a bucket whose time is over, so {@code /v1/stats} sorts only the open bucket's latencies. */
        JsonObject closed;

        Bucket(long start) {
            this.start = start;
        }

        void add(long latencyMillis, int batchSize) {
            images++;
            batchSizes += batchSize;
            if (samples < SAMPLES_PER_BUCKET) {
                if (samples == latencies.length) {
                    latencies = Arrays.copyOf(latencies, samples * 2);
                }
                latencies[samples++] = latencyMillis;
            }
        }

        void close() {
            closed = json();
            latencies = null;
        }

        JsonObject summary() {
            return closed != null ? closed : json();
        }

        private JsonObject json() {
            long[] sorted = Arrays.copyOf(latencies, samples);
            Arrays.sort(sorted);
            return new JsonObject().put("start", start).put("imagesPerSecond", images * 1000.0 / BUCKET_MILLIS)
                    .put("latencyP50", percentile(sorted, 0.50)).put("latencyP90", percentile(sorted, 0.90))
                    .put("latencyP99", percentile(sorted, 0.99)).put("meanBatch", images == 0 ? null : (double) batchSizes / images);
        }
    }

    private final LongSupplier clock;
    private final Deque<Bucket> buckets = new ArrayDeque<>();
    private final Deque<JsonObject> accuracy = new ArrayDeque<>();
    private final Deque<JsonObject> training = new ArrayDeque<>();

    /** @param clock milliseconds since the epoch */
    SystemStats(LongSupplier clock) {
        this.clock = clock;
    }

    synchronized void prediction(Prediction prediction) {
        long now = clock.getAsLong();
        long start = now - now % BUCKET_MILLIS;
        if (buckets.isEmpty() || buckets.getLast().start < start) {
            if (!buckets.isEmpty()) {
                buckets.getLast().close();
            }
            buckets.addLast(new Bucket(start));
            while (buckets.size() > BUCKETS) {
                buckets.removeFirst();
            }
        }
        long latency = prediction.getTimings().getQueuedMillis() + prediction.getTimings().getInferenceMicros() / 1000;
        buckets.getLast().add(latency, prediction.getTimings().getBatchSize());
    }

    synchronized void accuracy(ModelAccuracy window) {
        keep(accuracy, new JsonObject().put("model", window.getModel().getName().toString())
                .put("version", window.getModel().getVersion()).put("windowEnd", window.getWindowEnd().toEpochMilli())
                .put("predictions", window.getPredictions()).put("accuracy", window.getAccuracy()));
    }

    synchronized void training(TrainingMetrics round) {
        keep(training, new JsonObject().put("model", round.getModel().getName().toString())
                .put("version", round.getModel().getVersion()).put("at", round.getTimestamp().toEpochMilli())
                .put("loss", round.getLoss()).put("heldOutAccuracy", round.getAccuracy()).put("samplesSeen", round.getSamplesSeen()));
    }

    /** The buckets of the last five minutes, oldest first, with empty ones where nothing was predicted. */
    synchronized JsonObject json() {
        long now = clock.getAsLong();
        long newest = now - now % BUCKET_MILLIS;
        JsonArray series = new JsonArray();
        for (long start = newest - (BUCKETS - 1) * BUCKET_MILLIS; start <= newest; start += BUCKET_MILLIS) {
            long at = start;
            series.add(buckets.stream().filter(b -> b.start == at).findFirst().orElseGet(() -> new Bucket(at)).summary());
        }
        return new JsonObject().put("bucketSeconds", BUCKET_MILLIS / 1000).put("now", now).put("predictions", series)
                .put("liveAccuracy", new JsonArray(accuracy.stream().toList()))
                .put("training", new JsonArray(training.stream().toList()));
    }

    void handle(RoutingContext ctx) {
        ctx.json(json());
    }

    private static void keep(Deque<JsonObject> recent, JsonObject entry) {
        recent.addLast(entry);
        while (recent.size() > RECENT_RECORDS) {
            recent.removeFirst();
        }
    }

    /** Nearest-rank percentile of sorted values; {@code null} when there are none. */
    static Long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return null;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
    }
}
