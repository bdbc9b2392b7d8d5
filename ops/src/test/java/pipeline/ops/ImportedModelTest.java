package pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import pipeline.convnet.model.ModelFile;
import pipeline.gateway.GatewayMain;
import pipeline.images.ImageProbe;
import pipeline.infra.Ports;
import pipeline.modelstore.ModelSnapshot;
import pipeline.onnx.OnnxModels;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.PhonePhotos;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;
import pipeline.worker.Predictor;
import pipeline.worker.WorkerMain;

/**
 * A team's own model in a running system: an ONNX classifier taking 224×224 RGB (torchvision-style,
 * {@code models/tiny-rgb.onnx}) published with {@code pipeline models publish}, served by a worker group
 * of its own on its own images topic ({@code worker.model-name}, {@code worker.images-topic}) beside the
 * default one, reached through the gateway's {@code model} parameter; colour photos of any size in
 * several formats get the predictions the engine gives the same images in this JVM.
 */
@ExtendWith(RealInfrastructure.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImportedModelTest {

    static final Path ONNX = Path.of("../models/tiny-rgb.onnx");
    static final Path CLASSES = Path.of("../models/tiny-rgb.classes");
    static final String NAME = "tiny-rgb";
    static final String TOPIC = "images.tiny-rgb";

    private final HttpClient http = HttpClient.newHttpClient();
    private Supervisor services;
    private URI gateway;
    private ApiKey key;
    private Map<String, String> env;

    @BeforeAll
    void publishTheModelAndStartItsServices(TestKafka kafka, TestRegistry registry, @TempDir Path dir) throws Exception {
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
        }
        env = Map.of("PIPELINE_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(), "PIPELINE_REGISTRY_URL", registry.url());
        String published = command("models", "publish", ONNX.toString(), "--name", NAME, "--classes", CLASSES.toString(),
                "--normalise", "imagenet", "--resize", "centre-crop:0.875");
        assertThat(published).contains("Published tiny-rgb v1 (PROMOTED)").contains("input 3×224×224, resize centre-crop:0.875, 5 classes");

        key = ApiKey.generate();
        int gatewayPort = Ports.anyFree();
        int workerPort = Ports.anyFree();
        gateway = URI.create("http://127.0.0.1:" + gatewayPort);
        services = new Supervisor(List.of(
                new ServiceProcess("gateway", GatewayMain.class.getName(), "512m", with(Map.of("PIPELINE_GATEWAY_PORT",
                        Integer.toString(gatewayPort), "PIPELINE_GATEWAY_API_KEYS", key.gatewaySetting(),
                        "PIPELINE_GATEWAY_ROUTES", NAME + "=" + TOPIC)), gateway.resolve("/ready"), dir.resolve("gateway.log")),
                new ServiceProcess("worker-tiny-rgb", WorkerMain.class.getName(), "1g", with(Map.of(
                        "PIPELINE_WORKER_MODEL_NAME", NAME, "PIPELINE_WORKER_IMAGES_TOPIC", TOPIC,
                        "PIPELINE_WORKER_GROUP_ID", "tiny-rgb-workers", "PIPELINE_WORKER_INSTANCE_ID", "tiny-rgb-1",
                        "PIPELINE_WORKER_HTTP_PORT", Integer.toString(workerPort))),
                        URI.create("http://127.0.0.1:" + workerPort + "/ready"), dir.resolve("worker.log"))),
                dir, Duration.ofMinutes(2), new PrintStream(new ByteArrayOutputStream()));
    }

    @AfterAll
    void stop() {
        if (services != null) {
            services.close();
        }
    }

    @Test
    void colourPhotosInEveryFormatGetTheEnginesOwnPredictions() throws Exception {
        ModelFile model = OnnxModels.importAsCommanded(ONNX, CLASSES.toString(), "imagenet", "centre-crop:0.875");
        ModelSnapshot engine = new ModelSnapshot(NAME, 1, model);
        ImageProbe probe = new ImageProbe(4096L * 4096);
        Object[][] photos = {{"jpeg", 640, 480}, {"png", 300, 400}, {"bmp", 224, 224}, {"png", 1000, 180}};
        for (int i = 0; i < photos.length; i++) {
            byte[] photo = photo((String) photos[i][0], (int) photos[i][1], (int) photos[i][2], i);
            Predictor.ImagePrediction expected = new Predictor(5).predict(engine, List.of(engine.input().decode(probe, photo)))
                    .images().getFirst();

            HttpResponse<String> answer = post("/v1/images?model=" + NAME + "&wait=30s", "image/" + photos[i][0], photo);

            assertThat(answer.statusCode()).as("%s: %s", photos[i][0], answer.body()).isEqualTo(200);
            JsonObject prediction = new JsonObject(answer.body());
            assertThat(prediction.getJsonObject("model").getString("name")).isEqualTo(NAME);
            JsonArray top = prediction.getJsonArray("top");
            assertThat(top).hasSize(5);
            for (int k = 0; k < 5; k++) {
                assertThat(top.getJsonObject(k).getString("label")).as("%s, rank %d", photos[i][0], k)
                        .isEqualTo(expected.topK().get(k).label());
                assertThat(top.getJsonObject(k).getDouble("score")).isCloseTo(expected.topK().get(k).probability(), within(1e-5));
            }
            assertThat(prediction.getJsonArray("embedding")).hasSize(expected.embedding().length);
        }
    }

    /**
     * A phone photo in each of the eight EXIF orientations is classified upright, as the same picture: the same
     * embedding (the features the scores come from) within what JPEG's blocks change. Stored sideways without its
     * tag, the picture is another one to the model.
     */
    @Test
    void theEightExifOrientationsOfOnePhotoGetTheSamePrediction() throws Exception {
        BufferedImage upright = ImageIO.read(new ByteArrayInputStream(photo("png", 320, 240, 2)));
        double[] reference = embedding(post("/v1/images?model=" + NAME + "&wait=30s", "image/jpeg", PhonePhotos.jpeg(upright, 1)));
        double furthestTagged = 0;
        double nearestUntagged = Double.MAX_VALUE;
        for (int orientation = 2; orientation <= 8; orientation++) {
            double[] tagged = embedding(post("/v1/images?model=" + NAME + "&wait=30s", "image/jpeg", PhonePhotos.jpeg(upright, orientation)));
            ByteArrayOutputStream untagged = new ByteArrayOutputStream();
            ImageIO.write(PhonePhotos.stored(upright, orientation), "jpeg", untagged);
            double[] sideways = embedding(post("/v1/images?model=" + NAME + "&wait=30s", "image/jpeg", untagged.toByteArray()));

            furthestTagged = Math.max(furthestTagged, distance(tagged, reference));
            nearestUntagged = Math.min(nearestUntagged, distance(sideways, reference));
        }
        assertThat(furthestTagged).as("tagged orientations from the upright photo; untagged ones at least %.4f", nearestUntagged)
                .isLessThan(nearestUntagged / 4);
    }

    /** The embedding of a prediction. */
    private static double[] embedding(HttpResponse<String> answer) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return new JsonObject(answer.body()).getJsonArray("embedding").stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
    }

    /** Euclidean distance. */
    private static double distance(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(sum);
    }

    @Test
    void theModelIsListedWithItsInputClassesAndOperators() throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(gateway.resolve("/v1/models"))
                .header("Authorization", "Bearer " + key.value()).build(), HttpResponse.BodyHandlers.ofString());

        JsonObject tiny = new JsonObject(answer.body()).getJsonArray("models").stream().map(JsonObject.class::cast)
                .filter(m -> m.getString("name").equals(NAME)).findFirst().orElseThrow();
        assertThat(tiny.getBoolean("served")).isTrue();
        assertThat(tiny.getJsonObject("input").getMap()).containsEntry("channels", 3).containsEntry("height", 224)
                .containsEntry("resize", "centre-crop:0.875");
        assertThat(tiny.getJsonArray("classes").getList()).containsExactly("cat", "dog", "bird", "fish", "horse");
        assertThat(tiny.getJsonObject("operators").getMap()).containsKeys("conv", "add", "global-avgpool");
        assertThat(command("models", "list", "--name", NAME)).containsPattern("tiny-rgb\\s+1\\s+-\\s+PROMOTED\\s+yes\\s+3×224×224");
    }

    /** "Inside the model" for an imported colour graph: colour filters, and an inspection at the input's own size. */
    @Test
    void theInsideOfAnImportedColourModelIsShown() throws Exception {
        HttpResponse<byte[]> filters = http.send(HttpRequest.newBuilder(gateway.resolve("/v1/models/" + NAME + ":1/filters.png"))
                .header("Authorization", "Bearer " + key.value()).build(), HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<String> inspected = post("/v1/models/" + NAME + ":1/inspect", "image/jpeg", photo("jpeg", 640, 480, 1));

        assertThat(filters.statusCode()).isEqualTo(200);
        BufferedImage tiles = ImageIO.read(new ByteArrayInputStream(filters.body()));
        assertThat(tiles.getColorModel().getNumColorComponents()).as("one colour tile per filter of the RGB stem").isEqualTo(3);
        assertThat(inspected.statusCode()).as(inspected.body()).isEqualTo(200);
        JsonObject inside = new JsonObject(inspected.body());
        BufferedImage saliency = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(inside.getString("saliency"))));
        assertThat(saliency.getWidth()).as("the saliency of a 224×224 input, not enlarged").isEqualTo(224);
        assertThat(inside.getJsonArray("layers")).isNotEmpty();
    }

    @Test
    void aModelWithoutARouteIsNamedWithTheRoutesThereAre() throws Exception {
        HttpResponse<String> answer = post("/v1/images?model=nobody", "image/png", photo("png", 50, 50, 0));

        assertThat(answer.statusCode()).isEqualTo(404);
        assertThat(answer.body()).contains("UNKNOWN_MODEL").contains("no route for model 'nobody'").contains(NAME);
    }

    @Test
    void aVersionTheWorkersWouldRefuseIsRefusedBeforeItIsPublished() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = PipelineCommand.run(new String[] {"models", "publish", "../models/fashion-lenet5.model", "--name", NAME}, env,
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("the workers would refuse it")
                .contains("input [1, 28, 28] does not match the serving v1's [3, 224, 224]").contains("--name NEW-NAME");
    }

    private HttpResponse<String> post(String path, String contentType, byte[] body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(gateway.resolve(path)).header("Authorization", "Bearer " + key.value())
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String command(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = PipelineCommand.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).as("pipeline %s; stderr: %s", String.join(" ", args), err).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    private Map<String, String> with(Map<String, String> own) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.putAll(own);
        return all;
    }

    /** A colour picture of {@code w×h}: a diagonal gradient and a disc, different per {@code seed}, encoded as {@code format}. */
    static byte[] photo(String format, int w, int h, int seed) throws IOException {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(40 * seed % 256, 90, 200), w, h, new Color(250, 200 - 30 * seed, 20)));
        g.fillRect(0, 0, w, h);
        g.setColor(new Color(20, 160, 60 + 40 * seed));
        g.fillOval(w / 4, h / 4, w / 2, h / 3);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }
}
