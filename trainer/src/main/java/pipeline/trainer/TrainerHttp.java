package pipeline.trainer;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import pipeline.config.HealthServer;
import pipeline.config.HealthServer.Readiness;

/**
 * The trainer's HTTP endpoints: {@code /health} (the process runs), {@code /ready} (the training
 * loop reads labels and the feedback topology runs), {@code /metrics} (Prometheus text). They are
 * served from the start: while the trainer stands by for another of its model, {@code /ready} answers
 * 503 saying so and {@code trainer_active} is 0, so a standby is told from a dead trainer.
 */
public final class TrainerHttp implements AutoCloseable {

    private final HealthServer server;
    private final String standingBy;
    private final PrometheusMeterRegistry standbyMetrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private volatile TrainerService trainer;

    /** @param standingBy what {@code /ready} answers until {@link #serve}: why this trainer does not train */
    public TrainerHttp(String host, int port, String standingBy) throws IOException {
        this.standingBy = standingBy;
        TrainerMetrics.activeGauge(standbyMetrics, 0);
        server = new HealthServer(host, port, this::readiness, this::metrics);
    }

    /** From now on the endpoints answer for {@code active}, the trainer this process runs. */
    void serve(TrainerService active) {
        trainer = active;
        standbyMetrics.close();
    }

    public int port() {
        return server.port();
    }

    private Readiness readiness() {
        TrainerService active = trainer;
        if (active == null) {
            return Readiness.notReady(standingBy);
        }
        String why = active.notReadyBecause();
        return why == null ? Readiness.ready("READY") : Readiness.notReady(why);
    }

    private String metrics() {
        TrainerService active = trainer;
        return active == null ? standbyMetrics.scrape() : active.metrics().scrape();
    }

    @Override
    public void close() {
        server.close();
    }
}
