package pipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.schemas.avro.ImageEvent;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroDeserializer;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

/** {@code POST /v1/images} against a real broker and registry: what is accepted is on {@code images}; every refusal is JSON. */
@ExtendWith(RealInfrastructure.class)
class ImageIngestTest {

    static final String INGEST_KEY = "ingest-key-0123456789";
    static final String READ_KEY = "read-only-key-0123456789";
    static final String SLOW_KEY = "slow-ingest-key-0123456789";

    private static SchemaRegistryClient registry;
    private static GatewayServer gateway;
    private static TestKafka kafka;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start(TestKafka testKafka, TestRegistry testRegistry) throws Exception {
        kafka = testKafka;
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
        }
        registry = new SchemaRegistryClient(RegistryClientOptions.of(testRegistry.url()));
        gateway = new GatewayServer(settings(testRegistry, 1000, 1000), registry);
    }

    /** Keys for every scope test, a 64 KiB body limit, and the given rate per key. */
    private static GatewaySettings settings(TestRegistry testRegistry, int rate, int burst) {
        String keys = INGEST_KEY + ":ingest," + READ_KEY + ":read," + SLOW_KEY + ":ingest";
        return GatewaySettings.plain(kafka.bootstrapServers(), testRegistry.url(), "127.0.0.1", 0, keys, 64 * 1024, 4096, rate, burst,
                Duration.ofSeconds(10), Duration.ofSeconds(3), 1000);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        registry.close();
    }

    @Test
    void anAcceptedImageIsOnTheImagesTopicWithItsBytes() throws Exception {
        byte[] png = Images.encoded("png");
        String id = TestKafka.uniqueName("ingest");

        HttpResponse<String> response = post("/v1/images?id=" + id + "&source=camera-7", INGEST_KEY, "image/png", png);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(new JsonObject(response.body()).getJsonArray("ids").getString(0)).isEqualTo(id);
        ImageEvent event = readImage(id);
        assertThat(event.getSource()).isEqualTo("camera-7");
        assertThat(event.getContentType()).isEqualTo("image/png");
        byte[] stored = new byte[event.getImage().remaining()];
        event.getImage().duplicate().get(stored);
        assertThat(stored).isEqualTo(png);
    }

    @Test
    void severalImagesInOneMultipartRequestAreAllAcceptedOrNone() throws Exception {
        String boundary = "gateway-test-boundary";
        byte[] body = multipart(boundary, new Part("first", "a.png", "image/png", Images.encoded("png")),
                new Part("second", "b.jpg", "image/jpeg", Images.encoded("jpeg")),
                new Part("third", "c.gif", "image/gif", Images.encoded("gif")),
                new Part("fourth", "d.tif", "image/tiff", Images.encoded("tiff")));

        HttpResponse<String> response = post("/v1/images?source=multi", INGEST_KEY, "multipart/form-data; boundary=" + boundary, body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        var ids = new JsonObject(response.body()).getJsonArray("ids");
        assertThat(ids).hasSize(4);
        assertThat(readImage(ids.getString(1)).getContentType()).isEqualTo("image/jpeg");
        assertThat(readImage(ids.getString(3)).getContentType()).isEqualTo("image/tiff");

        byte[] oneBad = multipart(boundary, new Part("good", "a.png", "image/png", Images.encoded("png")),
                new Part("bad", "notes.txt", "text/plain", "hello".getBytes()));
        HttpResponse<String> refused = post("/v1/images", INGEST_KEY, "multipart/form-data; boundary=" + boundary, oneBad);
        assertError(refused, 415, "UNSUPPORTED_MEDIA_TYPE");
        assertThat(refused.body()).contains("part 'bad' (notes.txt)");
        assertError(post("/v1/images", INGEST_KEY, "multipart/form-data; boundary=" + boundary,
                ("--" + boundary + "--\r\n").getBytes()), 400, "NO_IMAGES");
    }

    private record Part(String name, String fileName, String contentType, byte[] bytes) {
    }

    private static byte[] multipart(String boundary, Part... parts) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Part part : parts) {
            out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + part.name() + "\"; filename=\""
                    + part.fileName() + "\"\r\nContent-Type: " + part.contentType() + "\r\n\r\n").getBytes());
            out.write(part.bytes());
            out.write("\r\n".getBytes());
        }
        out.write(("--" + boundary + "--\r\n").getBytes());
        return out.toByteArray();
    }

    @Test
    void keysAreRequiredAndScopesEnforced() throws Exception {
        byte[] png = Images.encoded("png");
        HttpResponse<String> none = send(HttpRequest.newBuilder(uri("/v1/images")).header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(png)).build());
        assertError(none, 401, "UNAUTHENTICATED");
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertError(post("/v1/images", "not-a-key-at-all-000000", "image/png", png), 401, "UNAUTHENTICATED");
        HttpResponse<String> readOnly = post("/v1/images", READ_KEY, "image/png", png);
        assertError(readOnly, 403, "FORBIDDEN");
        assertThat(readOnly.body()).contains("ingest").doesNotContain(READ_KEY);
    }

    @Test
    void badImagesAreRefusedWithWhatWasWrong() throws Exception {
        byte[] jpeg = Images.encoded("jpeg");
        assertError(post("/v1/images", INGEST_KEY, "text/plain", jpeg), 415, "UNSUPPORTED_MEDIA_TYPE");
        HttpResponse<String> mismatch = post("/v1/images", INGEST_KEY, "image/png", jpeg);
        assertError(mismatch, 415, "CONTENT_MISMATCH");
        assertThat(mismatch.body()).contains("JPEG");
        assertError(post("/v1/images", INGEST_KEY, "image/png", "not an image".getBytes()), 415, "CONTENT_MISMATCH");
        assertError(post("/v1/images", INGEST_KEY, "image/png", Images.pngDeclaring(100_000, 100_000)), 422, "IMAGE_TOO_LARGE");
        assertError(post("/v1/images", INGEST_KEY, "image/png", new byte[0]), 400, "EMPTY_BODY");
        assertError(post("/v1/images", INGEST_KEY, "image/png", new byte[100 * 1024]), 413, "BODY_TOO_LARGE");
        assertError(post("/v1/images?id=no%20spaces", INGEST_KEY, "image/png", Images.encoded("png")), 400, "INVALID_ID");
        assertError(send(HttpRequest.newBuilder(uri("/v1/nothing")).GET().build()), 404, "NOT_FOUND");
    }

    @Test
    void aKeyOverItsRateIsToldWhenToComeBack(TestRegistry testRegistry) throws Exception {
        byte[] gif = Images.encoded("gif");
        int accepted = 0;
        HttpResponse<String> limited = null;
        try (GatewayServer strict = new GatewayServer(settings(testRegistry, 1, 3), registry)) {
            URI images = URI.create("http://127.0.0.1:" + strict.port() + "/v1/images");
            for (int i = 0; i < 6 && limited == null; i++) {
                HttpResponse<String> response = send(HttpRequest.newBuilder(images).header("Authorization", "Bearer " + SLOW_KEY)
                        .header("Content-Type", "image/gif").POST(HttpRequest.BodyPublishers.ofByteArray(gif)).build());
                if (response.statusCode() == 202) {
                    accepted++;
                } else {
                    limited = response;
                }
            }
        }
        assertThat(accepted).as("the burst of 3 goes through").isGreaterThanOrEqualTo(3);
        assertThat(limited).as("a request beyond the burst").isNotNull();
        assertError(limited, 429, "RATE_LIMITED");
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
    }

    private static void assertError(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonObject body = new JsonObject(response.body());
        assertThat(body.getString("error")).isEqualTo(code);
        assertThat(body.getString("message")).isNotBlank();
    }

    private HttpResponse<String> post(String path, String key, String contentType, byte[] body) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + key).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + gateway.port() + path);
    }

    private static ImageEvent readImage(String id) {
        Map<String, Object> config = new HashMap<>(kafka.consumerConfig());
        AvroDeserializer<ImageEvent> images = AvroDeserializer.forClass(ImageEvent.class, registry);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(Set.of(Topics.IMAGES.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (id.equals(record.key())) {
                        return images.deserialize(record.topic(), record.value());
                    }
                }
            }
        }
        throw new AssertionError("image " + id + " never reached the images topic");
    }
}
