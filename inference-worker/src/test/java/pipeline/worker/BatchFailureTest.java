package pipeline.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.data.Normalisation;
import pipeline.convnet.layer.Flatten;
import pipeline.convnet.layer.Layer;
import pipeline.convnet.layer.Linear;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.model.ModelInfo;
import pipeline.convnet.net.Graph;
import pipeline.convnet.net.Network;
import pipeline.convnet.tensor.Tensor;
import pipeline.modelstore.ModelSnapshot;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.ConsumerGroups;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

/** An inference fault (not a bad image) is retried without loss, doubling or a dead loop, and reported meanwhile. */
@ExtendWith(RealInfrastructure.class)
class BatchFailureTest {

    static final int IMAGES = 40;

    /** Passes its input through, or throws while the fault is switched on: an engine failing mid-stream. */
    static final class FaultInjector implements Layer {
        final AtomicBoolean on = new AtomicBoolean(true);

        @Override public String describe() { return "fault injector"; }
        @Override public int[] outputShape(int[] in) { return in.clone(); }
        @Override public Tensor backward(Tensor gradOut) { return gradOut; }

        @Override
        public Tensor forward(Tensor input, Mode mode) {
            if (on.get()) {
                throw new IllegalStateException("injected engine fault");
            }
            return input;
        }
    }

    @Test
    void aFailingBatchIsRetriedUntilItGoesThroughAndEveryImageEndsWithOnePrediction(TestKafka kafka, TestRegistry registry)
            throws Exception {
        String group = TestKafka.uniqueName("failing-workers");
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
            ConsumerGroups.startAtEnd(admin, group, Topics.IMAGES.name());
        }
        FaultInjector fault = new FaultInjector();
        Network network = new Network("input 1 28 28", new int[] {1, 28, 28},
                Graph.chain(new Flatten(), fault, new Linear(784, 10, true)));
        ModelFile model = new ModelFile(network, Normalisation.FASHION_MNIST, Dataset.FASHION_MNIST_CLASSES,
                new ModelInfo("faulty", 1, null, Instant.now(), Map.of()));
        String run = TestKafka.uniqueName("failing");
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             PredictionReader reader = new PredictionReader(kafka, client, run)) {
            WorkerSettings settings = new WorkerSettings(kafka.bootstrapServers(), registry.url(), group, "failing-worker", 8,
                    Duration.ofMillis(10), 1, 4096L * 4096, BundledModel.FILE, 1, Duration.ofSeconds(10),
                    Duration.ofSeconds(20), "127.0.0.1", 0);
            AtomicReference<ModelSnapshot> served = new AtomicReference<>(new ModelSnapshot("faulty", 1, model));
            WorkerMetrics metrics = Metrics.forTest();
            InferenceLoop loop = new InferenceLoop(settings, client, served, 0, metrics);
            WorkerHttp http = new WorkerHttp("127.0.0.1", 0, served, List.of(loop), metrics);
            Thread worker = Thread.ofPlatform().name("failing-loop").start(loop);
            ImageFeed.stream(kafka, client, run, ImageFeed.images(IMAGES), Duration.ZERO);

            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (loop.failure() == null && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            String reported = loop.failure();
            HttpResponse<String> ready;
            try (HttpClient httpClient = HttpClient.newHttpClient()) {
                ready = httpClient.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
            }
            reader.during(Duration.ofSeconds(2));
            int predictedWhileFailing = reader.counts().size();
            boolean aliveWhileFailing = worker.isAlive();

            fault.on.set(false);
            reader.until(IMAGES);
            reader.during(Duration.ofSeconds(1));
            loop.stop();
            worker.join(Duration.ofSeconds(30));
            http.close();

            assertThat(reported).contains("injected engine fault");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("a batch failed and is being retried").contains("injected engine fault");
            assertThat(aliveWhileFailing).as("the loop survives the failure").isTrue();
            assertThat(predictedWhileFailing).as("nothing committed while failing").isZero();
            assertThat(reader.counts()).hasSize(IMAGES);
            assertThat(reader.counts().values()).allSatisfy(count -> assertThat(count).isEqualTo(1));
            assertThat(loop.failure()).as("cleared once batches go through").isNull();
        }
    }
}
