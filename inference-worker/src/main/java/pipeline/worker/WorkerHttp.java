package pipeline.worker;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import pipeline.config.HealthServer;
import pipeline.config.HealthServer.Readiness;
import pipeline.modelstore.ModelSnapshot;

/**
 * The worker's HTTP endpoints: {@code /health} (the process runs), {@code /ready} (a model is
 * loaded, every inference loop has joined its group, and none is retrying a failed batch),
 * {@code /metrics} (Prometheus text).
 */
public final class WorkerHttp implements AutoCloseable {

    private final HealthServer server;

    public WorkerHttp(String host, int port, AtomicReference<ModelSnapshot> served, List<InferenceLoop> loops,
                      WorkerMetrics metrics) throws IOException {
        server = new HealthServer(host, port, () -> readiness(served.get(), loops), metrics::scrape);
    }

    private static Readiness readiness(ModelSnapshot model, List<InferenceLoop> loops) {
        long waiting = loops.stream().filter(loop -> !loop.isAssigned()).count();
        String failing = loops.stream().map(InferenceLoop::failure).filter(f -> f != null).findFirst().orElse(null);
        if (model == null) {
            return Readiness.notReady("no model loaded");
        }
        if (waiting > 0) {
            return Readiness.notReady(waiting + " of " + loops.size() + " inference loops have not joined their group yet");
        }
        if (failing != null) {
            return Readiness.notReady("a batch failed and is being retried: " + failing);
        }
        return Readiness.ready("READY " + model.name() + " v" + model.version());
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
    }
}
