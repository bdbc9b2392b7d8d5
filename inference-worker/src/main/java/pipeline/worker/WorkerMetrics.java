package pipeline.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;
import pipeline.modelstore.ModelSnapshot;

/**
 * What a worker counts, in Prometheus form: batch sizes, time queued before a batch, inference time
 * per batch, images predicted, dead letters by code, the model version serving, refused versions,
 * and consumer lag.
 */
public final class WorkerMetrics {

    /**
     * The loop's stages, in the order it runs them: "poll" includes waiting for a batch to fill;
     * "read" (Avro and field checks) and "decode" (image checks and decoding) are summed over the
     * decode threads; "preprocess" turns decoded images into the input tensor (resize, normalise);
     * "inference" is the forward pass; "predictions" builds the output records; "commit" is the time
     * the loop waits for the committer (which otherwise serialises, sends and commits beside it).
     */
    public static final List<String> STAGES = List.of("poll", "read", "decode", "preprocess", "inference", "predictions", "commit");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final DistributionSummary batchSize;
    private final Timer queued;
    private final Timer inference;
    private final Counter images;
    private final Timer transaction;
    private final Map<String, Timer> stages = new HashMap<>();

    public WorkerMetrics(AtomicReference<ModelSnapshot> served, DoubleSupplier refusedVersions, DoubleSupplier lag) {
        // GC pauses and heap, as pipeline soak reads them.
        new JvmGcMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        batchSize = DistributionSummary.builder("worker.batch.size").description("images per inference batch")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256).register(registry);
        queued = Timer.builder("worker.queue.time").description("from an image's timestamp to the start of its batch")
                .publishPercentileHistogram().register(registry);
        inference = Timer.builder("worker.inference.time").description("forward pass of one batch")
                .publishPercentileHistogram().register(registry);
        images = Counter.builder("worker.images").description("images predicted").register(registry);
        transaction = Timer.builder("worker.transaction.time")
                .description("serialising, sending and committing one batch's outputs and offsets").register(registry);
        for (String stage : STAGES) {
            stages.put(stage, Timer.builder("worker.stage.time").description("time the inference loop spends per stage")
                    .tag("stage", stage).register(registry));
        }
        Gauge.builder("worker.model.version", served, s -> s.get() == null ? 0 : s.get().version())
                .description("model version serving").register(registry);
        Gauge.builder("worker.model.refused", refusedVersions::getAsDouble)
                .description("model versions refused since start").register(registry);
        Gauge.builder("worker.consumer.lag", lag::getAsDouble)
                .description("records behind the end of the images partitions (largest per loop, summed)").register(registry);
    }

    void batch(int size, long inferenceMicros) {
        batchSize.record(size);
        inference.record(Duration.ofNanos(inferenceMicros * 1000));
        images.increment(size);
    }

    void queued(long millis) {
        queued.record(Duration.ofMillis(millis));
    }

    /** Time spent in one stage of the loop, one of {@link #STAGES}. */
    void stage(String stage, long nanos) {
        stages.get(stage).record(nanos, TimeUnit.NANOSECONDS);
    }

    void transaction(long nanos) {
        transaction.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Transactions committed so far. */
    public double transactions() {
        return transaction.count();
    }

    /** Total seconds spent in a stage so far (for the benchmark's breakdown). */
    public double stageSeconds(String stage) {
        return stages.get(stage).totalTime(TimeUnit.SECONDS);
    }

    void deadLetter(String code) {
        registry.counter("worker.dead.letters", "code", code).increment();
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        return registry.scrape();
    }
}
