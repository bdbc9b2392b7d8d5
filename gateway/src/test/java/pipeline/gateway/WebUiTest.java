package pipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

/** The web UI is served at {@code /} without a key (the page asks for one), with a policy that keeps it to its own scripts. */
@ExtendWith(RealInfrastructure.class)
class WebUiTest {

    @Test
    void thePageAndItsAssetsAreServedWithoutAKeyAndUnderAContentSecurityPolicy(TestKafka kafka, TestRegistry registry) throws Exception {
        GatewaySettings settings = GatewaySettings.plain(kafka.bootstrapServers(), registry.url(), "127.0.0.1", 0,
                "web-ui-reader-0123456789:read", 1 << 20, 4096, 1000, 1000, Duration.ofSeconds(10), Duration.ofSeconds(5), 100);
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             GatewayServer gateway = new GatewayServer(settings, client);
             HttpClient http = HttpClient.newHttpClient()) {
            URI base = URI.create("http://127.0.0.1:" + gateway.port());

            HttpResponse<String> page = http.send(HttpRequest.newBuilder(base.resolve("/")).build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> script = http.send(HttpRequest.newBuilder(base.resolve("/ui/app.js")).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> missing = http.send(HttpRequest.newBuilder(base.resolve("/ui/nothing-here.js")).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> api = http.send(HttpRequest.newBuilder(base.resolve("/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
            assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(policy ->
                    assertThat(policy).contains("default-src 'self'"));
            assertThat(page.body()).contains("<script src=\"/ui/app.js\"");
            assertThat(script.statusCode()).isEqualTo(200);
            assertThat(script.body()).contains("/v1/predictions/stream").contains("/v1/images?wait=");
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(api.statusCode()).as("the API still wants a key").isEqualTo(401);
        }
    }
}
