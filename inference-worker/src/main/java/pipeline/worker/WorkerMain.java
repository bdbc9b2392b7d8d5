package pipeline.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.config.Settings;
import pipeline.config.SettingsException;
import pipeline.convnet.model.ModelFile;
import pipeline.modelstore.ModelSnapshot;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.KafkaAccessException;
import pipeline.schemas.topics.ProvisionReport;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.Topics;

/**
 * The inference worker process: serves the latest promoted version on {@code models} of its model
 * ({@code worker.model-name}, or the model file's; the file serves while there is none), follows newer
 * ones, and runs {@code worker.threads} inference loops on that model's images topic. SIGTERM (or Ctrl-C)
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
            initial = initialModel(settings);
        } catch (SettingsException | IOException e) {
            System.err.println("inference-worker: " + e.getMessage());
            System.exit(1);
            return;
        }
        if (!provisionImagesTopic(settings)) {
            System.exit(1);
            return;
        }
        try {
            settings.access().check(settings.kafka(), Duration.ofSeconds(60));
        } catch (KafkaAccessException e) {
            System.err.println("inference-worker: " + e.getMessage());
            System.exit(1);
            return;
        }
        String modelName = initial != null ? initial.name() : settings.modelName();
        SchemaRegistryClient registry = new SchemaRegistryClient(settings.registry());
        AtomicReference<ModelSnapshot> served = new AtomicReference<>(initial);
        ModelFollower follower = new ModelFollower(settings.kafka(), registry, served, modelName);
        Thread followerThread = Thread.ofPlatform().name("model-follower").start(follower);
        // Serve the latest promoted version from the start, not the file until the history is read.
        if (!follower.awaitCaughtUp(Duration.ofSeconds(60)) && initial != null) {
            LOG.warn("The models topic was not read within 60 s; serving {} v{} from {} meanwhile", initial.name(),
                    initial.version(), settings.modelFile());
        }
        while (served.get() == null) {
            LOG.info("Waiting for a promoted version of {} on models (pipeline models publish FILE --name {})", modelName, modelName);
            follower.awaitServing(Duration.ofSeconds(30));
        }
        List<InferenceLoop> loops = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        WorkerMetrics metrics = new WorkerMetrics(served, follower::refusedVersions,
                () -> loops.stream().mapToDouble(InferenceLoop::lag).sum());
        for (int i = 0; i < settings.threads(); i++) {
            InferenceLoop loop = new InferenceLoop(settings, registry, served, i, metrics);
            loops.add(loop);
            threads.add(Thread.ofPlatform().name("inference-" + i).uncaughtExceptionHandler(WorkerMain::loopFailed).start(loop));
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
                        + " metrics on http://{}:{}/; Kafka at {}, the registry at {}", settings.instanceId(), served.get().name(),
                served.get().version(), settings.threads(), settings.maxBatch(), settings.maxDelay().toMillis(), settings.httpHost(),
                http.port(), settings.kafka(), settings.registry());
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

    /**
     * The model file to serve until {@code models} is read: the settings' file, when it is the model the
     * worker serves; {@code null} when {@code worker.model-name} names another, which then comes from
     * {@code models} alone.
     */
    private static ModelSnapshot initialModel(WorkerSettings settings) throws IOException {
        if (!settings.modelName().isEmpty() && !Files.isRegularFile(settings.modelFile())) {
            return null;
        }
        ModelFile model = ModelFile.read(settings.modelFile());
        if (!settings.modelName().isEmpty() && !settings.modelName().equals(model.info().name())) {
            return null;
        }
        return new ModelSnapshot(model.info().name(), model.info().version(), model);
    }

    /**
     * Creates a model's own images topic ({@code worker.images-topic} other than {@code images}) when it is
     * missing, as {@code images} is made but for its name, with as many replicas as {@code images} has.
     * Returns false, having said why, when it can neither be found nor created.
     */
    private static boolean provisionImagesTopic(WorkerSettings settings) throws InterruptedException {
        if (settings.imagesTopic().equals(Topics.IMAGES.name())) {
            return true;
        }
        try (Admin admin = Admin.create(settings.kafka().clientConfig())) {
            short replicas = (short) admin.describeTopics(List.of(Topics.IMAGES.name())).allTopicNames().get(60, TimeUnit.SECONDS)
                    .get(Topics.IMAGES.name()).partitions().getFirst().replicas().size();
            ProvisionReport report = new TopicProvisioner(admin, replicas).provision(List.of(Topics.imagesFor(settings.imagesTopic())));
            if (!report.created().isEmpty()) {
                LOG.info("Created {} for {}'s images ({} partitions, {} replicas)", settings.imagesTopic(),
                        settings.modelName(), Topics.IMAGES.partitions(), replicas);
            }
            report.differences().forEach(d -> LOG.warn("{} differs from images: {}", settings.imagesTopic(), d));
            return true;
        } catch (ExecutionException | TimeoutException | KafkaException | IllegalStateException e) {
            System.err.println("inference-worker: cannot find or create the images topic " + settings.imagesTopic() + " at "
                    + settings.kafka() + ": " + e.getMessage() + " (create it as images is made, or set worker.images-topic)");
            return false;
        }
    }

    /**
     * A loop that ends by an error stops the worker (exit code 1), so that its supervisor restarts it and no partition
     * waits on a dead loop; a refusal of the cluster says which ACL is missing.
     */
    private static void loopFailed(Thread loop, Throwable error) {
        KafkaAccessException.behind("inference-worker", error).ifPresentOrElse(
                refusal -> LOG.error("{} stopped: {}", loop.getName(), refusal.getMessage()),
                () -> LOG.error("{} failed; the worker stops", loop.getName(), error));
        // Not from this thread: the shutdown hook waits for the loops to end, this one among them.
        Thread.ofPlatform().name("worker-exit").start(() -> System.exit(1));
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
