package pipeline.trainer;

import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.config.Settings;
import pipeline.config.SettingsException;
import pipeline.schemas.topics.KafkaAccessException;

/**
 * The trainer process. SIGTERM (or Ctrl-C) cancels a round in progress (nothing of it is published)
 * and closes the feedback topology; the next start resumes from the latest published version.
 */
public final class TrainerMain {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerMain.class);

    private TrainerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        TrainerSettings settings;
        TrainerService trainer;
        TrainerHttp http;
        try {
            settings = TrainerSettings.from(Settings.fromEnvironment(TrainerSettings.ALL));
            settings.access().check(settings.kafka(), Duration.ofSeconds(60));
            trainer = TrainerService.start(settings);
        } catch (SettingsException | KafkaAccessException | IOException e) {
            System.err.println("trainer: " + e.getMessage());
            System.exit(1);
            return;
        }
        try {
            http = new TrainerHttp(settings.httpHost(), settings.httpPort(), trainer);
        } catch (IOException e) {
            trainer.close();
            System.err.println("trainer: cannot serve HTTP on " + settings.httpHost() + ":" + settings.httpPort()
                    + " (" + e.getMessage() + "); set PIPELINE_TRAINER_HTTP_PORT to a free port, or 0 for any");
            System.exit(1);
            return;
        }
        LOG.info("Trainer of {} running on {} thread(s); health, readiness and metrics on http://{}:{}/; Kafka at {}, the registry"
                + " at {}", settings.modelName(), settings.threads(), settings.httpHost(), http.port(), settings.kafka(), settings.registry());
        Thread shutdown = new Thread(() -> {
            trainer.close();
            http.close();
            LOG.info("Trainer of {} stopped", settings.modelName());
        }, "trainer-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        trainer.awaitLoopEnd();
        if (trainer.failure() != null) {
            // Exit for the supervisor to start a fresh trainer; the shutdown hook closes this one.
            System.err.println("trainer: " + trainer.failure());
            System.exit(1);
        }
        Thread.currentThread().join();
    }
}
