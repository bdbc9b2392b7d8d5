package pipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.model.ModelFile;
import pipeline.modelstore.ModelRecords;
import pipeline.schemas.avro.ModelStatus;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroSerializer;
import pipeline.schemas.serde.SerdeOptions;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

/** Looking inside a published model version through the gateway: filters, saliency and activations, maximum-response inputs. */
@ExtendWith(RealInfrastructure.class)
class ModelInsightTest {

    static final String KEY = "reader-key-0123456789abcdef";

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static SchemaRegistryClient client;
    private static GatewayServer gateway;
    private static String version;
    /** The first Fashion-MNIST test image (an ankle boot), as PNG. */
    private static byte[] ankleBoot;

    @BeforeAll
    static void publishAModelAndStartTheGateway(TestKafka kafka, TestRegistry registry) throws Exception {
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
        }
        String name = TestKafka.uniqueName("insight");
        version = name + ":1";
        client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(),
                new AvroSerializer<>(client, SerdeOptions.DEFAULTS, false))) {
            byte[] bytes = Files.readAllBytes(PredictionsTest.MODEL);
            producer.send(new ProducerRecord<>("models", version,
                    ModelRecords.of(ModelFile.read(PredictionsTest.MODEL), bytes, name, 1, ModelStatus.PROMOTED))).get();
        }
        gateway = new GatewayServer(GatewaySettings.plain(kafka.bootstrapServers(), registry.url(), "127.0.0.1", 0, KEY + ":read",
                1 << 20, 4096, 1000, 1000, Duration.ofSeconds(10), Duration.ofSeconds(5), 100), client);
        Dataset test = Dataset.readIdx(Path.of("../convnet/src/test/resources/fashion-mnist-sample"), "t10k",
                Dataset.FASHION_MNIST_CLASSES);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(test.picture(0), "png", png);
        ankleBoot = png.toByteArray();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (send("GET", "/v1/models/" + version, null, null).statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stop() {
        gateway.close();
        client.close();
    }

    @Test
    void theFirstLayersFiltersAreOneTileEach() throws Exception {
        HttpResponse<byte[]> filters = send("GET", "/v1/models/" + version + "/filters.png", null, null);

        assertThat(filters.statusCode()).isEqualTo(200);
        assertThat(filters.headers().firstValue("Content-Type")).hasValue("image/png");
        // LeNet-5: 6 filters of 5×5, drawn 8× with one-pixel gaps, in one row.
        BufferedImage grid = ImageIO.read(new ByteArrayInputStream(filters.body()));
        assertThat(grid.getWidth()).isEqualTo(6 * (5 * 8 + 1) + 1);
        assertThat(grid.getHeight()).isEqualTo(5 * 8 + 1 + 1);
    }

    @Test
    void anImageIsScoredWithItsSaliencyAndEveryLayersMaps() throws Exception {
        HttpResponse<byte[]> answer = send("POST", "/v1/models/" + version + "/inspect", "image/png", ankleBoot);

        assertThat(answer.statusCode()).as(new String(answer.body())).isEqualTo(200);
        JsonObject seen = new JsonObject(new String(answer.body()));
        assertThat(seen.getJsonObject("model").getInteger("version")).isEqualTo(1);
        assertThat(seen.getJsonArray("top").getJsonObject(0).getString("label")).isEqualTo("Ankle boot");
        assertThat(seen.getString("class")).as("saliency of the top class by default").isEqualTo("Ankle boot");
        BufferedImage saliency = png(seen.getString("saliency"));
        assertThat(saliency.getWidth()).isEqualTo(28 * 4);
        assertThat(saliency.getColorModel().hasAlpha()).as("a layer to lay over the image").isTrue();
        JsonArray layers = seen.getJsonArray("layers");
        assertThat(layers).hasSize(6);
        assertThat(layers.getJsonObject(0).getString("layer")).containsIgnoringCase("conv");
        assertThat(layers.getJsonObject(3).getJsonArray("shape").getList()).containsExactly(1, 16, 10, 10);
        assertThat(png(layers.getJsonObject(0).getString("maps")).getWidth()).isEqualTo(6 * (28 * 2 + 1) + 1);

        HttpResponse<byte[]> bag = send("POST", "/v1/models/" + version + "/inspect?class=Bag", "image/png", ankleBoot);
        assertThat(new JsonObject(new String(bag.body())).getString("class")).isEqualTo("Bag");
    }

    @Test
    void badRequestsToInspectSayWhatWasExpected() throws Exception {
        HttpResponse<byte[]> unicorn = send("POST", "/v1/models/" + version + "/inspect?class=Unicorn", "image/png", ankleBoot);
        assertThat(unicorn.statusCode()).isEqualTo(400);
        assertThat(new String(unicorn.body())).contains("Unicorn", "Ankle boot");
        assertThat(send("POST", "/v1/models/" + version + "/inspect", "text/plain", "hello".getBytes()).statusCode()).isEqualTo(415);
        assertThat(send("POST", "/v1/models/nobody:9/inspect", "image/png", ankleBoot).statusCode()).isEqualTo(404);
        HttpResponse<byte[]> layer = send("GET", "/v1/models/" + version + "/layers/99/maximum-response.png", null, null);
        assertThat(layer.statusCode()).isEqualTo(400);
        assertThat(new String(layer.body())).contains("'99' is not a number from 0 to 11");
        HttpResponse<byte[]> units = send("GET", "/v1/models/" + version + "/layers/3/maximum-response.png?units=0-16", null, null);
        assertThat(new String(units.body())).contains("from 0 to 15");
    }

    @Test
    void maximumResponseInputsComeOnePerUnitAsked() throws Exception {
        HttpResponse<byte[]> found = send("GET", "/v1/models/" + version + "/layers/3/maximum-response.png?units=2,5,7", null, null);

        assertThat(found.statusCode()).as(new String(found.body())).isEqualTo(200);
        BufferedImage grid = ImageIO.read(new ByteArrayInputStream(found.body()));
        assertThat(grid.getWidth()).isEqualTo(3 * (28 * 4 + 1) + 1);
    }

    @Test
    void unitsAreARangeOrAListOfAtMostSixteen() {
        assertThat(ModelInsight.units(null, 16)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(ModelInsight.units("", 3)).containsExactly(0, 1, 2);
        assertThat(ModelInsight.units("4-6", 16)).containsExactly(4, 5, 6);
        assertThat(ModelInsight.units("9, 1,9", 16)).containsExactly(9, 1);
        assertThatThrownBy(() -> ModelInsight.units("0-99", 120)).hasMessageContaining("at most 16");
        assertThatThrownBy(() -> ModelInsight.units("6-4", 16)).hasMessageContaining("from 6 to 15");
        assertThatThrownBy(() -> ModelInsight.units("x", 16)).hasMessageContaining("written as 0-7 or 1,4,9");
    }

    private static BufferedImage png(String base64) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(base64)));
    }

    private static HttpResponse<byte[]> send(String method, String path, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .header("Authorization", "Bearer " + KEY)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
