package pipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.convnet.model.ModelFile;
import pipeline.modelstore.ModelSnapshot;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.ConsumerGroups;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;
import pipeline.worker.InferenceLoop;
import pipeline.worker.WorkerMetrics;
import pipeline.worker.WorkerSettings;

/**
 * Through a real inference worker: {@code ?wait=} answers 200 with the prediction, GET finds it
 * afterwards, the live stream filtered by source carries it (and not another source's), an unknown
 * id is 404, and with no worker running a wait ends in 202 after the wait.
 */
@ExtendWith(RealInfrastructure.class)
class PredictionsTest {

    static final Path MODEL = Path.of("../models/fashion-lenet5.model");
    static final String KEY = "reader-and-sender-0123456789";

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void waitingRequestsGetTheirPredictionAndReadersFindItLater(TestKafka kafka, TestRegistry registry) throws Exception {
        String group = TestKafka.uniqueName("gateway-workers");
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
            ConsumerGroups.startAtEnd(admin, group, Topics.IMAGES.name());
        }
        GatewaySettings settings = GatewaySettings.plain(kafka.bootstrapServers(), registry.url(), "127.0.0.1", 0, KEY + ":ingest+read",
                1 << 20, 4096, 1000, 1000, Duration.ofSeconds(10), Duration.ofSeconds(20), 1000);
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             GatewayServer gateway = new GatewayServer(settings, client)) {
            String unanswered = TestKafka.uniqueName("no-worker-yet");
            long start = System.nanoTime();
            HttpResponse<String> early = post(gateway, "/v1/images?wait=700ms&id=" + unanswered, Images.encoded("png"));
            assertThat(early.statusCode()).as("no worker yet: accepted, not answered").isEqualTo(202);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(700));

            ModelFile model = ModelFile.read(MODEL);
            AtomicReference<ModelSnapshot> served = new AtomicReference<>(new ModelSnapshot("fashion-lenet5", 1, model));
            WorkerSettings workerSettings = new WorkerSettings(kafka.bootstrapServers(), registry.url(), group, "gateway-test-worker",
                    8, Duration.ofMillis(10), 3, 4096L * 4096, MODEL, 1, Duration.ofSeconds(10), Duration.ofSeconds(20), "127.0.0.1", 0);
            InferenceLoop loop = new InferenceLoop(workerSettings, client, served, 0,
                    new WorkerMetrics(served, () -> 0, () -> 0));
            Thread worker = Thread.ofPlatform().name("gateway-test-worker").start(loop);
            try {
                String id = TestKafka.uniqueName("answered");
                HttpResponse<Stream<String>> stream = http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + gateway.port() + "/v1/predictions/stream?source=cam"))
                        .header("Authorization", "Bearer " + KEY).GET().build(), HttpResponse.BodyHandlers.ofLines());
                assertThat(stream.statusCode()).isEqualTo(200);
                assertThat(stream.headers().firstValue("Content-Type")).hasValue("text/event-stream");
                HttpResponse<Stream<String>> withThumbnails = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                + gateway.port() + "/v1/predictions/stream?source=cam&thumbnails=true"))
                        .header("Authorization", "Bearer " + KEY).GET().build(), HttpResponse.BodyHandlers.ofLines());
                post(gateway, "/v1/images?wait=15s&source=other-camera", Images.encoded("png"));
                HttpResponse<String> answered = post(gateway, "/v1/images?wait=15s&id=" + id + "&source=cam", Images.encoded("png"));

                assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
                JsonObject prediction = new JsonObject(answered.body());
                assertThat(prediction.getString("id")).isEqualTo(id);
                assertThat(prediction.getJsonObject("model").getString("name")).isEqualTo("fashion-lenet5");
                assertThat(prediction.getJsonArray("top")).hasSize(3);
                assertThat(prediction.getJsonArray("embedding")).hasSize(84);

                HttpResponse<String> later = get(gateway, "/v1/predictions/" + id);
                assertThat(later.statusCode()).isEqualTo(200);
                assertThat(new JsonObject(later.body())).isEqualTo(prediction);

                // The stream filtered on source "cam" carries this prediction, and not the other camera's sent before it.
                List<String> events = stream.body().filter(line -> line.startsWith("data: ")).limit(1).toList();
                assertThat(new JsonObject(events.getFirst().substring(6))).isEqualTo(prediction);
                JsonObject shown = new JsonObject(withThumbnails.body().filter(line -> line.startsWith("data: ")).findFirst()
                        .orElseThrow().substring(6));
                assertThat(shown.getString("thumbnail")).as("the image itself, for the live feed")
                        .isEqualTo("data:image/png;base64," + Base64.getEncoder().encodeToString(Images.encoded("png")));
                shown.remove("thumbnail");
                assertThat(shown).isEqualTo(prediction);
            } finally {
                loop.stop();
                worker.join(Duration.ofSeconds(30));
            }
            HttpResponse<String> unknown = get(gateway, "/v1/predictions/never-sent");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(new JsonObject(unknown.body()).getString("error")).isEqualTo("UNKNOWN_PREDICTION");
        }
    }

    private HttpResponse<String> post(GatewayServer gateway, String path, byte[] png) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(png)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(GatewayServer gateway, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .header("Authorization", "Bearer " + KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
