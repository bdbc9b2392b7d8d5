package pipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.IntStream;
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
import pipeline.schemas.avro.Feedback;
import pipeline.schemas.avro.LabelledImage;
import pipeline.schemas.avro.ModelStatus;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroDeserializer;
import pipeline.schemas.serde.AvroSerializer;
import pipeline.schemas.serde.SerdeOptions;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

/**
 * Models as the gateway shows them (from the real {@code models} topic), promotion by an admin, and
 * labels and corrections checked against the served model's classes before they reach Kafka (or, for
 * a trainer that grows the model, passed on with a new class).
 */
@ExtendWith(RealInfrastructure.class)
class ModelsAndLabelsTest {

    static final String ADMIN = "admin-key-0123456789abcdef";
    static final String LABELLER = "labeller-key-0123456789abc";

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void modelsArePromotedAndLabelsChecked(TestKafka kafka, TestRegistry registry) throws Exception {
        String name = TestKafka.uniqueName("gw-model");
        GatewaySettings settings = provisionedSettings(kafka, registry);
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(),
                     new AvroSerializer<>(client, SerdeOptions.DEFAULTS, false));
             GatewayServer gateway = new GatewayServer(settings, client)) {
            byte[] bytes = Files.readAllBytes(PredictionsTest.MODEL);
            ModelFile model = ModelFile.read(PredictionsTest.MODEL);
            producer.send(new ProducerRecord<>("models", name + ":1", ModelRecords.of(model, bytes, name, 1, ModelStatus.PROMOTED))).get();
            producer.send(new ProducerRecord<>("models", name + ":2", ModelRecords.of(model, bytes, name, 2, ModelStatus.CANDIDATE))).get();

            JsonObject v1 = awaitJson(gateway, ADMIN, "/v1/models/" + name + ":1", j -> j.getBoolean("served", false));
            assertThat(v1.getString("status")).isEqualTo("PROMOTED");
            assertThat(v1.getJsonArray("classes")).contains("Sneaker");
            JsonObject v2 = awaitJson(gateway, ADMIN, "/v1/models/" + name + ":2", j -> true);
            assertThat(v2.getString("status")).isEqualTo("CANDIDATE");
            assertThat(v2.getBoolean("served")).isFalse();
            assertThat(send(gateway, LABELLER, "POST", "/v1/models/" + name + ":2/promote", null, null).statusCode())
                    .as("a labeller may not promote").isEqualTo(403);
            assertThat(send(gateway, ADMIN, "GET", "/v1/models/" + name + ":9", null, null).statusCode()).isEqualTo(404);

            HttpResponse<String> promoted = send(gateway, ADMIN, "POST", "/v1/models/" + name + ":2/promote", null, null);
            assertThat(promoted.statusCode()).as(promoted.body()).isEqualTo(202);
            awaitJson(gateway, ADMIN, "/v1/models/" + name + ":2", j -> j.getBoolean("served", false));
            // A promoted record whose weights do not match their checksum: workers refuse it, so it is not reported served.
            ModelVersion damaged = ModelRecords.of(model, bytes, name, 3, ModelStatus.PROMOTED);
            damaged.setWeightsSha256("0".repeat(64));
            producer.send(new ProducerRecord<>("models", name + ":3", damaged)).get();
            producer.send(new ProducerRecord<>("models", name + ":4", ModelRecords.of(model, bytes, name, 4, ModelStatus.CANDIDATE))).get();
            awaitJson(gateway, ADMIN, "/v1/models/" + name + ":4", j -> true);
            assertThat(new JsonObject(send(gateway, ADMIN, "GET", "/v1/models/" + name + ":3", null, null).body()).getBoolean("served"))
                    .as("a promoted version that does not verify").isFalse();
            assertThat(new JsonObject(send(gateway, ADMIN, "GET", "/v1/models/" + name + ":2", null, null).body()).getBoolean("served"))
                    .isTrue();
            assertThat(new JsonObject(send(gateway, ADMIN, "GET", "/v1/models", null, null).body()).getJsonArray("models").size())
                    .isGreaterThanOrEqualTo(2);

            String labelled = TestKafka.uniqueName("labelled");
            HttpResponse<String> label = send(gateway, LABELLER, "POST", "/v1/labels?label=Sneaker&id=" + labelled, "image/png",
                    Images.encoded("png"));
            assertThat(label.statusCode()).as(label.body()).isEqualTo(202);
            HttpResponse<String> unicorn = send(gateway, LABELLER, "POST", "/v1/labels?label=Unicorn", "image/png", Images.encoded("png"));
            assertThat(unicorn.statusCode()).isEqualTo(422);
            assertThat(new JsonObject(unicorn.body()).getString("message")).contains("Unicorn", "Sneaker");

            String corrected = TestKafka.uniqueName("corrected");
            HttpResponse<String> feedback = send(gateway, LABELLER, "POST", "/v1/images/" + corrected + "/feedback",
                    "application/json", "{\"label\": \"Bag\", \"author\": \"ann\"}".getBytes());
            assertThat(feedback.statusCode()).as(feedback.body()).isEqualTo(202);
            assertThat(send(gateway, LABELLER, "POST", "/v1/images/x/feedback", "application/json", "{not json".getBytes()).statusCode())
                    .isEqualTo(400);
            assertThat(send(gateway, LABELLER, "POST", "/v1/images/x/feedback", "application/json", "{\"label\": \"Cat\"}".getBytes())
                    .statusCode()).isEqualTo(422);

            LabelledImage onLabels = read(kafka, client, "labels", labelled, LabelledImage.class);
            assertThat(onLabels.getLabel()).isEqualTo("Sneaker");
            Feedback onFeedback = read(kafka, client, "feedback", corrected, Feedback.class);
            assertThat(onFeedback.getLabel()).isEqualTo("Bag");
            assertThat(onFeedback.getAuthor()).isEqualTo("ann");
        }
    }

    @Test
    void aGatewayTakingNewClassesPassesALabelOfOneToTheTrainer(TestKafka kafka, TestRegistry registry) throws Exception {
        String name = TestKafka.uniqueName("gw-grow");
        GatewaySettings settings = provisionedSettings(kafka, registry).acceptingNewClasses();
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(),
                     new AvroSerializer<>(client, SerdeOptions.DEFAULTS, false));
             GatewayServer gateway = new GatewayServer(settings, client)) {
            byte[] bytes = Files.readAllBytes(PredictionsTest.MODEL);
            producer.send(new ProducerRecord<>("models", name + ":1", ModelRecords.of(ModelFile.read(PredictionsTest.MODEL), bytes, name, 1,
                    ModelStatus.PROMOTED))).get();
            awaitJson(gateway, ADMIN, "/v1/models/" + name + ":1", j -> j.getBoolean("served", false));

            String labelled = TestKafka.uniqueName("new-class");
            HttpResponse<String> hat = send(gateway, LABELLER, "POST", "/v1/labels?label=Hat&id=" + labelled, "image/png",
                    Images.encoded("png"));
            HttpResponse<String> control = send(gateway, LABELLER, "POST", "/v1/labels?label=Hat%0A", "image/png", Images.encoded("png"));

            assertThat(hat.statusCode()).as(hat.body()).isEqualTo(202);
            assertThat(read(kafka, client, "labels", labelled, LabelledImage.class).getLabel()).isEqualTo("Hat");
            assertThat(control.statusCode()).isEqualTo(422);
            assertThat(control.body()).contains("INVALID_LABEL");
        }
    }

    @Test
    void aLabelForANamedModelIsCheckedAgainstThatModelsClassesAndNamesItForItsTrainer(TestKafka kafka, TestRegistry registry)
            throws Exception {
        String fashion = TestKafka.uniqueName("gw-fashion");
        String defects = TestKafka.uniqueName("gw-defects");
        GatewaySettings settings = provisionedSettings(kafka, registry).withRoutes(defects + "=images." + defects);
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(),
                     new AvroSerializer<>(client, SerdeOptions.DEFAULTS, false));
             GatewayServer gateway = new GatewayServer(settings, client)) {
            ModelFile garments = ModelFile.read(PredictionsTest.MODEL);
            ModelFile parts = new ModelFile(garments.network(), garments.normalisation(),
                    IntStream.range(0, 10).mapToObj(i -> i == 0 ? "Scratch" : "part-" + i).toList(), garments.info(), garments.resize());
            producer.send(new ProducerRecord<>("models", fashion + ":1", ModelRecords.of(garments, garments.toBytes(), fashion, 1,
                    ModelStatus.PROMOTED))).get();
            producer.send(new ProducerRecord<>("models", defects + ":1", ModelRecords.of(parts, parts.toBytes(), defects, 1,
                    ModelStatus.PROMOTED))).get();
            awaitJson(gateway, ADMIN, "/v1/models/" + defects + ":1", j -> j.getBoolean("served", false));
            awaitJson(gateway, ADMIN, "/v1/models/" + fashion + ":1", j -> j.getBoolean("served", false));

            String scratch = TestKafka.uniqueName("scratch");
            HttpResponse<String> forDefects = send(gateway, LABELLER, "POST", "/v1/labels?label=Scratch&model=" + defects + "&id=" + scratch,
                    "image/png", Images.encoded("png"));
            HttpResponse<String> sneakerForDefects = send(gateway, LABELLER, "POST", "/v1/labels?label=Sneaker&model=" + defects,
                    "image/png", Images.encoded("png"));
            HttpResponse<String> noRoute = send(gateway, LABELLER, "POST", "/v1/labels?label=Scratch&model=nobody", "image/png",
                    Images.encoded("png"));
            String dented = TestKafka.uniqueName("dented");
            HttpResponse<String> feedback = send(gateway, LABELLER, "POST", "/v1/images/" + dented + "/feedback?model=" + defects,
                    "application/json", "{\"label\": \"part-3\"}".getBytes());
            String sneaker = TestKafka.uniqueName("sneaker");
            HttpResponse<String> unnamed = send(gateway, LABELLER, "POST", "/v1/labels?label=Sneaker&id=" + sneaker, "image/png",
                    Images.encoded("png"));

            assertThat(forDefects.statusCode()).as(forDefects.body()).isEqualTo(202);
            assertThat(read(kafka, client, "labels", scratch, LabelledImage.class).getModel()).isEqualTo(defects);
            assertThat(sneakerForDefects.statusCode()).isEqualTo(422);
            assertThat(new JsonObject(sneakerForDefects.body()).getString("message")).contains("'Sneaker'", defects, "Scratch");
            assertThat(noRoute.statusCode()).isEqualTo(404);
            assertThat(noRoute.body()).contains("UNKNOWN_MODEL", "nobody", defects);
            assertThat(feedback.statusCode()).as(feedback.body()).isEqualTo(202);
            Feedback onFeedback = read(kafka, client, "feedback", dented, Feedback.class);
            assertThat(onFeedback.getModel()).isEqualTo(defects);
            assertThat(onFeedback.getLabel()).isEqualTo("part-3");
            assertThat(unnamed.statusCode()).as(unnamed.body()).isEqualTo(202);
            assertThat(read(kafka, client, "labels", sneaker, LabelledImage.class).getModel()).as("the images topic's model").isNull();
        }
    }

    /** The catalogue's topics on the broker, and a gateway's settings with an admin's and a labeller's key. */
    private static GatewaySettings provisionedSettings(TestKafka kafka, TestRegistry registry) throws Exception {
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
        }
        return GatewaySettings.plain(kafka.bootstrapServers(), registry.url(), "127.0.0.1", 0,
                ADMIN + ":admin+read," + LABELLER + ":label", 1 << 20, 4096, 1000, 1000, Duration.ofSeconds(10), Duration.ofSeconds(5), 100);
    }

    private JsonObject awaitJson(GatewayServer gateway, String key, String path, Predicate<JsonObject> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            last = send(gateway, key, "GET", path, null, null);
            if (last.statusCode() == 200 && done.test(new JsonObject(last.body()))) {
                return new JsonObject(last.body());
            }
            Thread.sleep(100);
        }
        throw new AssertionError(path + " never became as expected; last answer " + (last == null ? "none" : last.body()));
    }

    private HttpResponse<String> send(GatewayServer gateway, String key, String method, String path, String contentType, byte[] body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .header("Authorization", "Bearer " + key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static <T extends SpecificRecord> T read(TestKafka kafka, SchemaRegistryClient client, String topic,
                                                                            String key, Class<T> type) {
        AvroDeserializer<T> values = AvroDeserializer.forClass(type, client);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(kafka.consumerConfig(), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(Set.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(record.key())) {
                        return values.deserialize(record.topic(), record.value());
                    }
                }
            }
        }
        throw new AssertionError("no record " + key + " on " + topic);
    }
}
