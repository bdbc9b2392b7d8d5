package pipeline.trainer;

import java.io.IOException;
import pipeline.config.HealthServer;
import pipeline.config.HealthServer.Readiness;

/**
 * The trainer's HTTP endpoints: {@code /health} (the process runs), {@code /ready} (the training
 * loop reads labels and the feedback topology runs), {@code /metrics} (Prometheus text).
 */
public final class TrainerHttp implements AutoCloseable {

    private final HealthServer server;

    public TrainerHttp(String host, int port, TrainerService trainer) throws IOException {
        server = new HealthServer(host, port, () -> {
            String why = trainer.notReadyBecause();
            return why == null ? Readiness.ready("READY") : Readiness.notReady(why);
        }, () -> trainer.metrics().scrape());
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
    }
}
