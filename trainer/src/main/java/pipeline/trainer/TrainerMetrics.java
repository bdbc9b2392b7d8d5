package pipeline.trainer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import pipeline.schemas.avro.ModelStatus;

/**
 * What the trainer counts, in Prometheus form: labels read (training or held-out side), labels
 * refused by code, buffer and held-out sizes, rounds and their time, the last evaluation of parent
 * and candidate, versions published by status, and the promoted version.
 */
public final class TrainerMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter trainingLabels;
    private final Counter heldOutLabels;
    private final Timer rounds;
    private final Counter yielded;
    private final AtomicLong parentAccuracy = new AtomicLong(Double.doubleToLongBits(Double.NaN));
    private final AtomicLong candidateAccuracy = new AtomicLong(Double.doubleToLongBits(Double.NaN));
    private final AtomicLong promotedVersion = new AtomicLong();
    private final AtomicLong lastEvaluation = new AtomicLong();
    private final AtomicLong roundRunning = new AtomicLong();

    public TrainerMetrics(DoubleSupplier bufferSize, DoubleSupplier heldOutSize, DoubleSupplier skippedModelRecords) {
        // GC pauses and heap, as pipeline soak reads them.
        new JvmGcMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        trainingLabels = Counter.builder("trainer.labels").tag("side", "training").description("labels read").register(registry);
        heldOutLabels = Counter.builder("trainer.labels").tag("side", "held-out").description("labels read").register(registry);
        rounds = Timer.builder("trainer.round.time").description("one round: judge the parent, fine-tune, judge the candidate")
                .register(registry);
        yielded = Counter.builder("trainer.yield.time").baseUnit("seconds")
                .description("time rounds paused between steps for inference workers that were behind").register(registry);
        Gauge.builder("trainer.buffer.size", bufferSize::getAsDouble).description("training samples kept").register(registry);
        Gauge.builder("trainer.held-out.size", heldOutSize::getAsDouble).description("held-out samples kept").register(registry);
        Gauge.builder("trainer.models.skipped", skippedModelRecords::getAsDouble)
                .description("records on models that are not model versions, skipped since start").register(registry);
        Gauge.builder("trainer.evaluation.accuracy", parentAccuracy, a -> Double.longBitsToDouble(a.get())).tag("model", "parent")
                .description("held-out accuracy at the last evaluation").register(registry);
        Gauge.builder("trainer.evaluation.accuracy", candidateAccuracy, a -> Double.longBitsToDouble(a.get())).tag("model", "candidate")
                .description("held-out accuracy at the last evaluation").register(registry);
        Gauge.builder("trainer.evaluation.last", lastEvaluation, AtomicLong::get).baseUnit("seconds")
                .description("Unix time of the last evaluation").register(registry);
        Gauge.builder("trainer.round.running", roundRunning, AtomicLong::get)
                .description("1 while a round fine-tunes and judges a candidate, else 0").register(registry);
        activeGauge(registry, 1);
        Gauge.builder("trainer.model.version", promotedVersion, AtomicLong::get).description("the promoted version candidates are judged against")
                .register(registry);
        for (ModelStatus status : ModelStatus.values()) {
            Counter.builder("trainer.versions").tag("status", status.name().toLowerCase()).description("versions published")
                    .register(registry);
        }
    }

    void label(boolean heldOut) {
        (heldOut ? heldOutLabels : trainingLabels).increment();
    }

    void refused(String code) {
        Counter.builder("trainer.labels.refused").tag("code", code).description("labels the trainer could not use")
                .register(registry).increment();
    }

    /** A record the feedback topology could not use, on one of its source topics. */
    void refusedRecord(String topic, String code) {
        Counter.builder("trainer.feedback.refused").tag("topic", topic).tag("code", code)
                .description("source records the feedback topology could not use (dead-lettered or, on images and labels, skipped)")
                .register(registry).increment();
    }

    void round(Duration time, double parent, double candidate) {
        rounds.record(time);
        parentAccuracy.set(Double.doubleToLongBits(parent));
        candidateAccuracy.set(Double.doubleToLongBits(candidate));
        lastEvaluation.set(System.currentTimeMillis() / 1000);
    }

    /** A round started ({@code true}) or ended. */
    void roundRunning(boolean running) {
        roundRunning.set(running ? 1 : 0);
    }

    void yielded(Duration paused) {
        yielded.increment(paused.toNanos() / 1e9);
    }

    void published(ModelStatus status, int version) {
        registry.counter("trainer.versions", "status", status.name().toLowerCase()).increment();
        if (status == ModelStatus.PROMOTED) {
            promotedVersion.set(version);
        }
    }

    /** The promoted version candidates are judged against, at start or when another was promoted elsewhere. */
    void promotedVersion(int version) {
        promotedVersion.set(version);
    }

    /** {@code trainer_active}: 1 in the active trainer of a model, 0 in one standing by. */
    static void activeGauge(MeterRegistry registry, int value) {
        Gauge.builder("trainer.active", () -> value).description("1 while this trainer trains its model, 0 while it stands by")
                .register(registry);
    }

    public String scrape() {
        return registry.scrape();
    }
}
