package pipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
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

/**
 * Hundreds of malformed requests — truncated and bit-flipped PNG/JPEG, wrong magic bytes, huge
 * declared dimensions, empty and oversized bodies, invalid JSON, unknown labels — each answered
 * with a 4xx and a JSON error, while a well-formed image sent after every tenth one is still
 * accepted and reaches {@code images}.
 */
@ExtendWith(RealInfrastructure.class)
class MalformedRequestsTest {

    static final String KEY = "fuzzing-key-0123456789abcd";

    @Test
    void everyMalformedRequestIsA4xxAndGoodOnesStillGetThrough(TestKafka kafka, TestRegistry registry) throws Exception {
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
        }
        GatewaySettings settings = GatewaySettings.plain(kafka.bootstrapServers(), registry.url(), "127.0.0.1", 0,
                KEY + ":ingest+label", 64 * 1024, 1024, 100_000, 100_000, Duration.ofSeconds(10), Duration.ofSeconds(5), 100);
        String run = TestKafka.uniqueName("fuzz");
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(),
                     new AvroSerializer<>(client, SerdeOptions.DEFAULTS, false));
             GatewayServer gateway = new GatewayServer(settings, client);
             HttpClient http = HttpClient.newHttpClient()) {
            String model = TestKafka.uniqueName("fuzz-model");
            producer.send(new ProducerRecord<>("models", model + ":1", ModelRecords.of(ModelFile.read(PredictionsTest.MODEL),
                    Files.readAllBytes(PredictionsTest.MODEL), model, 1, ModelStatus.PROMOTED))).get();

            List<Malformed> cases = malformed();
            assertThat(cases).hasSizeGreaterThan(200);
            Set<String> good = new HashSet<>();
            for (int i = 0; i < cases.size(); i++) {
                Malformed bad = cases.get(i);
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + bad.path()))
                        .header("Authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.ofByteArray(bad.body()));
                if (bad.contentType() != null) {
                    request.header("Content-Type", bad.contentType());
                }
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as("%s → %s", bad.what(), response.body()).isBetween(400, 499);
                assertThat(new JsonObject(response.body()).getString("message")).as(bad.what()).isNotBlank();
                if (i % 10 == 0) {
                    String id = run + "-" + i;
                    HttpResponse<String> fine = http.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + gateway.port() + "/v1/images?id=" + id))
                            .header("Authorization", "Bearer " + KEY).header("Content-Type", "image/png")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(Images.encoded("png"))).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(fine.statusCode()).as("a good image after %s", bad.what()).isEqualTo(202);
                    good.add(id);
                }
            }
            assertThat(keysOnImages(kafka, run, good.size())).containsAll(good);
        }
    }

    private record Malformed(String what, String path, String contentType, byte[] body) {
    }

    private static List<Malformed> malformed() throws Exception {
        List<Malformed> cases = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(2024);
        byte[] png = Images.encoded("png");
        byte[] jpeg = Images.encoded("jpeg");
        for (int cut = 1; cut < png.length; cut += Math.max(1, png.length / 40)) {
            cases.add(new Malformed("PNG cut at " + cut, "/v1/images", "image/png", Arrays.copyOf(png, cut)));
        }
        for (int cut = 1; cut < jpeg.length; cut += Math.max(1, jpeg.length / 40)) {
            cases.add(new Malformed("JPEG cut at " + cut, "/v1/images", "image/jpeg", Arrays.copyOf(jpeg, cut)));
        }
        for (int i = 0; i < 40; i++) {
            byte[] flipped = png.clone();
            flipped[8 + random.nextInt(png.length - 8)] ^= (byte) (1 + random.nextInt(255));
            cases.add(new Malformed("PNG with a damaged byte (" + i + ")", "/v1/images", "image/png", flipped));
        }
        for (int i = 0; i < 30; i++) {
            byte[] noise = new byte[1 + random.nextInt(2000)];
            random.nextBytes(noise);
            cases.add(new Malformed("random bytes (" + i + ")", "/v1/images", "image/png", noise));
            cases.add(new Malformed("random bytes as a label (" + i + ")", "/v1/labels?label=Bag", "image/jpeg", noise));
        }
        cases.add(new Malformed("GIF magic declared as PNG", "/v1/images", "image/png", "GIF89a".getBytes()));
        cases.add(new Malformed("JPEG declared as PNG", "/v1/images", "image/png", jpeg));
        cases.add(new Malformed("no content type", "/v1/images", null, png));
        cases.add(new Malformed("text content type", "/v1/images", "text/plain", png));
        cases.add(new Malformed("multipart that is not", "/v1/images", "multipart/form-data; boundary=x", "--x\r\nbroken".getBytes()));
        for (int side : new int[] {1025, 5000, 65535, 100_000, Integer.MAX_VALUE}) {
            cases.add(new Malformed("PNG declaring " + side + "² pixels", "/v1/images", "image/png", Images.pngDeclaring(side, side)));
        }
        cases.add(new Malformed("PNG declaring 0×0", "/v1/images", "image/png", Images.pngDeclaring(0, 0)));
        cases.add(new Malformed("empty body", "/v1/images", "image/png", new byte[0]));
        cases.add(new Malformed("oversized body", "/v1/images", "image/png", new byte[65 * 1024]));
        cases.add(new Malformed("oversized label body", "/v1/labels?label=Bag", "image/png", new byte[200 * 1024]));
        cases.add(new Malformed("unknown label", "/v1/labels?label=Unicorn", "image/png", png));
        cases.add(new Malformed("missing label", "/v1/labels", "image/png", png));
        for (String json : List.of("", "{", "[]", "null", "{\"label\": 3}", "{\"label\": \"\"}", "{\"label\": \"Dragon\"}",
                "{\"author\": \"x\"}", "\"Bag\"", "{\"label\": \"Bag\"", "\u0000\u0001")) {
            cases.add(new Malformed("feedback " + json, "/v1/images/some-id/feedback", "application/json", json.getBytes()));
        }
        cases.add(new Malformed("feedback for a bad id", "/v1/images/bad%20id/feedback", "application/json", "{\"label\": \"Bag\"}".getBytes()));
        cases.add(new Malformed("bad wait", "/v1/images?wait=soon", "image/png", png));
        cases.add(new Malformed("bad id", "/v1/images?id=" + "x".repeat(200), "image/png", png));
        return cases;
    }

    private static Set<String> keysOnImages(TestKafka kafka, String run, int expected) {
        Set<String> keys = new HashSet<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(kafka.consumerConfig(), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(Set.of(Topics.IMAGES.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (keys.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.key() != null && r.key().startsWith(run + "-")) {
                        keys.add(r.key());
                    }
                });
            }
        }
        return keys;
    }
}
