package pipeline.worker;

import java.util.concurrent.atomic.AtomicReference;

/** Metrics for loops run by tests, which read predictions rather than counters. */
final class Metrics {

    private Metrics() {
    }

    static WorkerMetrics forTest() {
        return new WorkerMetrics(new AtomicReference<>(), () -> 0, () -> 0);
    }
}
