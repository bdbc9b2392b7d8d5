package pipeline.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.infra.Ports;
import pipeline.schemas.avro.ImageEvent;
import pipeline.schemas.avro.Prediction;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.RegistryFront;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

@ExtendWith(RealInfrastructure.class)
class SchemaRegistryClientTest {

    static final Duration QUICK = Duration.ofMillis(10);

    @Test
    void idsAndSchemasAgreeWithTheRegistrysOwnView(TestRegistry registry) throws Exception {
        String subject = TestKafka.uniqueName("view") + "-value";
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             HttpClient http = HttpClient.newHttpClient()) {
            int id = client.register(subject, ImageEvent.getClassSchema());

            JsonNode byId = getJson(http, registry.url() + "/schemas/ids/" + id);
            JsonNode latest = getJson(http, registry.url() + "/subjects/" + subject + "/versions/latest");

            assertThat(new Schema.Parser().parse(byId.path("schema").asText())).isEqualTo(ImageEvent.getClassSchema());
            assertThat(latest.path("id").asInt()).isEqualTo(id);
            assertThat(client.latest(subject).id()).isEqualTo(id);
            assertThat(client.lookup(subject, ImageEvent.getClassSchema()).version()).isEqualTo(latest.path("version").asInt());
            assertThat(client.subjects()).contains(subject);
            assertThat(client.register(subject, ImageEvent.getClassSchema())).as("registering again").isEqualTo(id);
        }
    }

    @Test
    void registryErrorsBecomeReasonsThatNameWhatWasAsked(TestRegistry registry) {
        String subject = TestKafka.uniqueName("errors") + "-value";
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()))) {
            assertThatThrownBy(() -> client.latest(subject))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                        assertThat(e.reason()).isEqualTo(SchemaRegistryException.Reason.SUBJECT_NOT_FOUND);
                        assertThat(e.errorCode()).isEqualTo(40401);
                    })
                    .hasMessageContaining(subject);

            client.register(subject, ImageEvent.getClassSchema());
            assertThatThrownBy(() -> client.lookup(subject, Prediction.getClassSchema()))
                    .isInstanceOfSatisfying(SchemaRegistryException.class,
                            e -> assertThat(e.reason()).isEqualTo(SchemaRegistryException.Reason.SCHEMA_NOT_FOUND));
            assertThatThrownBy(() -> client.schemaById(987_654))
                    .isInstanceOfSatisfying(SchemaRegistryException.class,
                            e -> assertThat(e.reason()).isEqualTo(SchemaRegistryException.Reason.SCHEMA_NOT_FOUND))
                    .hasMessageContaining("id 987654");
        }
    }

    @Test
    void aUrlThatIsNotTheConfluentApiIsNamedAsSuch(TestRegistry registry) {
        String root = registry.url().replace("/apis/ccompat/v7", "");
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(root))) {
            assertThatThrownBy(client::subjects)
                    .isInstanceOfSatisfying(SchemaRegistryException.class,
                            e -> assertThat(e.reason()).isEqualTo(SchemaRegistryException.Reason.NO_SUCH_ENDPOINT))
                    .hasMessageContaining(root + "/subjects")
                    .hasMessageContaining("/apis/ccompat/v7");
        }
    }

    @Test
    void serverErrorsAreRetriedWithBackoffUntilTheyPass(TestRegistry registry) throws Exception {
        String subject = TestKafka.uniqueName("retry") + "-value";
        try (RegistryFront proxy = new RegistryFront(registry.url(), 2, 503);
             SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(proxy.url()).withRetries(4, QUICK))) {
            int id = client.register(subject, ImageEvent.getClassSchema());

            assertThat(id).isPositive();
            assertThat(proxy.requests()).hasSize(3);
        }
    }

    @Test
    void aPlainHttpRegistryIsSpokenToInHttp11WithoutAnUpgradeToH2c(TestRegistry registry) throws Exception {
        try (RegistryFront proxy = new RegistryFront(registry.url(), 0, 503);
             SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(proxy.url()))) {
            client.register(TestKafka.uniqueName("h2c") + "-value", ImageEvent.getClassSchema());
            client.subjects();

            assertThat(proxy.requests()).hasSize(2);
            assertThat(proxy.upgrades()).isEmpty();
        }
    }

    @Test
    void clientErrorsAreNotRetried(TestRegistry registry) throws Exception {
        try (RegistryFront proxy = new RegistryFront(registry.url(), 0, 503);
             SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(proxy.url()).withRetries(4, QUICK))) {
            assertThatThrownBy(() -> client.latest(TestKafka.uniqueName("absent")))
                    .isInstanceOf(SchemaRegistryException.class);

            assertThat(proxy.requests()).hasSize(1);
        }
    }

    @Test
    void persistentServerErrorsEndAsUnavailableAfterEveryAttempt(TestRegistry registry) throws Exception {
        try (RegistryFront proxy = new RegistryFront(registry.url(), 100, 500);
             SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(proxy.url()).withRetries(3, QUICK))) {
            assertThatThrownBy(() -> client.subjects())
                    .isInstanceOfSatisfying(SchemaRegistryException.class,
                            e -> assertThat(e.reason()).isEqualTo(SchemaRegistryException.Reason.UNAVAILABLE))
                    .hasMessageContaining("3 attempts")
                    .hasMessageContaining("HTTP 500");
            assertThat(proxy.requests()).hasSize(3);
        }
    }

    @Test
    void connectionFailuresAreRetriedAndNameTheUrl() {
        String url = "http://127.0.0.1:" + Ports.anyFree();
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(url).withRetries(3, QUICK))) {
            assertThatThrownBy(() -> client.schemaById(1))
                    .isInstanceOfSatisfying(SchemaRegistryException.class,
                            e -> assertThat(e.reason()).isEqualTo(SchemaRegistryException.Reason.UNAVAILABLE))
                    .hasMessageContaining(url + "/schemas/ids/1")
                    .hasMessageContaining("3 attempts")
                    .hasMessageContaining("ConnectException");
        }
    }

    @Test
    void schemasByIdAreFetchedOnceBecauseIdsNeverChange(TestRegistry registry) throws Exception {
        String subject = TestKafka.uniqueName("cache") + "-value";
        int id;
        try (SchemaRegistryClient writer = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()))) {
            id = writer.register(subject, ImageEvent.getClassSchema());
        }
        try (RegistryFront proxy = new RegistryFront(registry.url(), 0, 503);
             SchemaRegistryClient reader = new SchemaRegistryClient(RegistryClientOptions.of(proxy.url()))) {
            for (int i = 0; i < 5; i++) {
                assertThat(reader.schemaById(id)).isEqualTo(ImageEvent.getClassSchema());
            }

            assertThat(proxy.requests()).containsExactly("GET /schemas/ids/" + id);
        }
    }

    @Test
    void optionsRefuseWhatCannotWork() {
        assertThatThrownBy(() -> RegistryClientOptions.of("localhost:8081"))
                .hasMessageContaining("must be an http(s) URL");
        assertThatThrownBy(() -> RegistryClientOptions.fromConfigs(java.util.Map.of()))
                .hasMessageContaining(RegistryClientOptions.URL + " is not set");
        assertThatThrownBy(() -> RegistryClientOptions.fromConfigs(java.util.Map.of(
                RegistryClientOptions.URL, "http://x", RegistryClientOptions.MAX_ATTEMPTS, "many")))
                .hasMessageContaining(RegistryClientOptions.MAX_ATTEMPTS + " is 'many'");
    }

    private static JsonNode getJson(HttpClient http, String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET " + url).isEqualTo(200);
        return new ObjectMapper().readTree(response.body());
    }
}
