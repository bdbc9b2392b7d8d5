package pipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import pipeline.schemas.avro.ModelAccuracy;
import pipeline.schemas.avro.ModelRef;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.avro.ScoredLabel;
import pipeline.schemas.avro.Timings;
import pipeline.schemas.avro.TrainingMetrics;

/** The numbers behind the UI's charts: per-bucket rates, latency percentiles and batch sizes; accuracy and training records. */
class SystemStatsTest {

    private final AtomicLong clock = new AtomicLong(1_000_000_000_000L);
    private final SystemStats stats = new SystemStats(clock::get);

    @Test
    void eachBucketCountsImagesPerSecondLatencyPercentilesAndMeanBatch() {
        for (int i = 1; i <= 100; i++) {
            stats.prediction(prediction(i, 3_000, i % 2 == 0 ? 8 : 4));
        }

        JsonArray series = stats.json().getJsonArray("predictions");
        JsonObject newest = series.getJsonObject(series.size() - 1);

        assertThat(series).hasSize(SystemStats.BUCKETS);
        assertThat(newest.getDouble("imagesPerSecond")).isEqualTo(100 / 5.0);
        // Latency = queued ms + the batch's forward pass (3 ms): 4 … 103.
        assertThat(newest.getLong("latencyP50")).isEqualTo(53);
        assertThat(newest.getLong("latencyP90")).isEqualTo(93);
        assertThat(newest.getLong("latencyP99")).isEqualTo(102);
        assertThat(newest.getDouble("meanBatch")).isEqualTo(6.0);
        assertThat(series.getJsonObject(0).getDouble("imagesPerSecond")).as("a bucket with nothing predicted").isZero();
        assertThat(series.getJsonObject(0).getValue("latencyP50")).isNull();
    }

    @Test
    void oldBucketsLeaveTheWindowAndNewOnesStartEmpty() {
        stats.prediction(prediction(10, 0, 1));
        clock.addAndGet(SystemStats.BUCKET_MILLIS);
        stats.prediction(prediction(20, 0, 1));
        stats.prediction(prediction(30, 0, 1));

        JsonArray series = stats.json().getJsonArray("predictions");
        assertThat(series.getJsonObject(series.size() - 2).getDouble("imagesPerSecond")).isEqualTo(0.2);
        assertThat(series.getJsonObject(series.size() - 1).getDouble("imagesPerSecond")).isEqualTo(0.4);

        clock.addAndGet(SystemStats.BUCKETS * SystemStats.BUCKET_MILLIS);
        assertThat(stats.json().getJsonArray("predictions")).allSatisfy(b -> assertThat(((JsonObject) b).getDouble("imagesPerSecond")).isZero());
    }

    @Test
    void liveAccuracyAndTrainingRoundsAreKeptInOrder() {
        Instant at = Instant.ofEpochMilli(clock.get());
        stats.accuracy(new ModelAccuracy(new ModelRef("m", 2), at.minusSeconds(60), at, 400L, 300L, 0.75));
        stats.training(new TrainingMetrics(new ModelRef("m", 3), 0.42, 0.81, 200, 5_000L, 1_200L, at));

        JsonObject json = stats.json();

        assertThat(json.getJsonArray("liveAccuracy").getJsonObject(0).getMap())
                .containsEntry("version", 2).containsEntry("accuracy", 0.75).containsEntry("predictions", 400L);
        assertThat(json.getJsonArray("training").getJsonObject(0).getMap())
                .containsEntry("version", 3).containsEntry("loss", 0.42).containsEntry("heldOutAccuracy", 0.81);
    }

    private static Prediction prediction(long queuedMillis, long inferenceMicros, int batchSize) {
        return new Prediction("image", "test", new ModelRef("m", 1), List.of(new ScoredLabel("Bag", 0.9f)), List.of(0.1f),
                new Timings(queuedMillis, inferenceMicros, batchSize), Instant.EPOCH, Map.of());
    }
}
