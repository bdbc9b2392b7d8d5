package pipeline.worker;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.config.Settings;
import pipeline.config.SettingsException;
import pipeline.convnet.model.ModelFile;
import pipeline.modelstore.ModelSnapshot;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;

/**
 * The inference worker process: serves the latest promoted version on {@code models} (the model
 * file from its settings when there is none), follows newer ones, and runs {@code worker.threads}
 * inference loops. SIGTERM (or Ctrl-C)
 * lets each loop finish and commit its current batch, then leave the group.
 */
public final class WorkerMain {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerMain.class);

    private WorkerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        WorkerSettings settings;
        ModelSnapshot initial;
        try {
            settings = WorkerSettings.from(Settings.fromEnvironment(WorkerSettings.ALL));
            ModelFile model = ModelFile.read(settings.modelFile());
            initial = new ModelSnapshot(model.info().name(), model.info().version(), model);
        } catch (SettingsException | IOException e) {
            System.err.println("inference-worker: " + e.getMessage());
            System.exit(1);
            return;
        }
        SchemaRegistryClient registry = new SchemaRegistryClient(RegistryClientOptions.of(settings.registryUrl()));
        AtomicReference<ModelSnapshot> served = new AtomicReference<>(initial);
        ModelFollower follower = new ModelFollower(settings.bootstrapServers(), registry, served);
        Thread followerThread = Thread.ofPlatform().name("model-follower").start(follower);
        // Serve the latest promoted version from the start, not the file until the history is read.
        if (!follower.awaitCaughtUp(Duration.ofSeconds(60))) {
            LOG.warn("The models topic was not read within 60 s; serving {} v{} from {} meanwhile", initial.name(),
                    initial.version(), settings.modelFile());
        }
        List<InferenceLoop> loops = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        WorkerMetrics metrics = new WorkerMetrics(served, follower::refusedVersions,
                () -> loops.stream().mapToDouble(InferenceLoop::lag).sum());
        for (int i = 0; i < settings.threads(); i++) {
            InferenceLoop loop = new InferenceLoop(settings, registry, served, i, metrics);
            loops.add(loop);
            threads.add(Thread.ofPlatform().name("inference-" + i).start(loop));
        }
        WorkerHttp http;
        try {
            http = new WorkerHttp(settings.httpHost(), settings.httpPort(), served, loops, metrics);
        } catch (IOException e) {
            System.err.println("inference-worker: cannot serve HTTP on " + settings.httpHost() + ":" + settings.httpPort()
                    + " (" + e.getMessage() + "); set PIPELINE_WORKER_HTTP_PORT to a free port, or 0 for any");
            System.exit(1);
            return;
        }
        LOG.info("Worker {} serving {} v{} with {} loop(s), batches of up to {} within {} ms; health, readiness and"
                        + " metrics on http://{}:{}/", settings.instanceId(), served.get().name(), served.get().version(), settings.threads(),
                settings.maxBatch(), settings.maxDelay().toMillis(), settings.httpHost(), http.port());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Worker {} stopping: finishing and committing the current batches", settings.instanceId());
            loops.forEach(InferenceLoop::stop);
            follower.stop();
            for (Thread thread : threads) {
                joinQuietly(thread);
            }
            joinQuietly(followerThread);
            http.close();
            registry.close();
            LOG.info("Worker {} stopped", settings.instanceId());
        }, "worker-shutdown"));
        for (Thread thread : threads) {
            thread.join();
        }
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
