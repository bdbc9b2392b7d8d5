package pipeline.trainer;

import java.io.IOException;
import java.time.Duration;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.config.Settings;
import pipeline.config.SettingsException;
import pipeline.schemas.topics.KafkaAccessException;

/**
 * The trainer process. It trains only while it is its model's active trainer ({@link ActiveTrainerLock}):
 * a second trainer of the same model stands by (its {@code /ready} says so) and takes over when the first
 * leaves. The cluster refusing it a group or transactional id stops it with exit code 1. SIGTERM (or
 * Ctrl-C) cancels a round in progress (nothing of it is published) and closes the feedback topology;
 * the next start, or the standby, resumes from the latest published version.
 */
public final class TrainerMain {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerMain.class);

    private TrainerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        TrainerSettings settings;
        try {
            settings = TrainerSettings.from(Settings.fromEnvironment(TrainerSettings.ALL));
            settings.access().check(settings.kafka(), Duration.ofSeconds(60));
        } catch (SettingsException | KafkaAccessException e) {
            exit(e.getMessage());
            return;
        }
        TrainerHttp http;
        String standingBy = "standing by: another trainer of " + settings.modelName() + " is active (group " + settings.activeGroup()
                + "); this one takes over when it leaves";
        try {
            http = new TrainerHttp(settings.httpHost(), settings.httpPort(), standingBy);
        } catch (IOException e) {
            exit("cannot serve HTTP on " + settings.httpHost() + ":" + settings.httpPort() + " (" + e.getMessage()
                    + "); set PIPELINE_TRAINER_HTTP_PORT to a free port, or 0 for any");
            return;
        }
        // Not from the lock's thread: the shutdown hook waits for it to end.
        ActiveTrainerLock lock = new ActiveTrainerLock(settings, () -> Thread.ofPlatform().start(() -> System.exit(1)));
        Thread standby = new Thread(() -> {
            lock.close();
            http.close();
        }, "trainer-standby-shutdown");
        Runtime.getRuntime().addShutdownHook(standby);
        try {
            while (!lock.awaitActive(Duration.ofMinutes(1))) {
                LOG.info("Trainer of {} {}; /ready on http://{}:{}/ says so", settings.modelName(), standingBy, settings.httpHost(),
                        http.port());
            }
        } catch (KafkaAccessException e) {
            exit(e.getMessage());
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(standby);
        } catch (IllegalStateException e) {
            return; // Shutting down as this trainer became the active one: the hook leaves the group.
        }
        TrainerService trainer;
        try {
            trainer = TrainerService.start(settings);
        } catch (IOException | KafkaException e) {
            lock.close();
            http.close();
            exit(KafkaAccessException.behind("trainer", e).map(Throwable::getMessage).orElse(e.getMessage()));
            return;
        }
        http.serve(trainer);
        LOG.info("Trainer of {} running on {} thread(s); health, readiness and metrics on http://{}:{}/; Kafka at {}, the registry"
                + " at {}", settings.modelName(), settings.threads(), settings.httpHost(), http.port(), settings.kafka(), settings.registry());
        Thread shutdown = new Thread(() -> {
            trainer.close();
            http.close();
            lock.close();
            LOG.info("Trainer of {} stopped", settings.modelName());
        }, "trainer-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        trainer.awaitLoopEnd();
        if (trainer.failure() != null) {
            // Exit for the supervisor to start a fresh trainer; the shutdown hook closes this one.
            exit(trainer.failure());
        }
        Thread.currentThread().join();
    }

    /** Ends the process with exit code 1, saying {@code why} on standard error (the shutdown hooks run). */
    private static void exit(String why) {
        System.err.println("trainer: " + why);
        System.exit(1);
    }
}
