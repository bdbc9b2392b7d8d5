package pipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

/** The served OpenAPI document describes exactly the routes the gateway serves; /metrics counts requests by outcome. */
@ExtendWith(RealInfrastructure.class)
class ApiDocumentTest {

    @Test
    void theDocumentMatchesTheRoutesAndMetricsCountOutcomes(TestKafka kafka, TestRegistry registry) throws Exception {
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
        }
        GatewaySettings settings = GatewaySettings.plain(kafka.bootstrapServers(), registry.url(), "127.0.0.1", 0,
                "document-reader-0123456789:read", 1 << 20, 4096, 1000, 1000, Duration.ofSeconds(10), Duration.ofSeconds(5), 100);
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             GatewayServer gateway = new GatewayServer(settings, client);
             HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> document = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gateway.port() + "/v1/openapi.json")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(document.statusCode()).isEqualTo(200);
            JsonObject paths = new JsonObject(document.body()).getJsonObject("paths");
            List<String> documented = new ArrayList<>();
            for (String path : paths.fieldNames()) {
                for (String method : paths.getJsonObject(path).fieldNames()) {
                    documented.add(method.toUpperCase(Locale.ROOT) + " " + path);
                }
            }
            assertThat(documented).containsExactlyInAnyOrderElementsOf(gateway.routes());

            http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString());
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("gateway_requests_seconds_count{method=\"GET\",route=\"/v1/models\",status=\"401\"} 1");
        }
    }
}
