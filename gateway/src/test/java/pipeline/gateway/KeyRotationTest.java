package pipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

/** API keys in {@code gateway.api-keys-file} are added and revoked while the gateway runs. */
@ExtendWith(RealInfrastructure.class)
class KeyRotationTest {

    private static final String OLD = "old-key-0123456789abcdef";
    private static final String NEW = "new-key-fedcba9876543210";
    private static final String FIXED = "fixed-admin-key-0123456789";

    @TempDir
    Path dir;

    @Test
    void aKeyRemovedFromTheFileStopsWorkingWithinASecondAndANewOneStarts(TestKafka kafka, TestRegistry registry) throws Exception {
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
        }
        Path keys = Files.writeString(dir.resolve("api-keys"), "# the team's keys\n" + OLD + ":read\n");
        GatewaySettings settings = GatewaySettings.plain(kafka.bootstrapServers(), registry.url(), "127.0.0.1", 0, FIXED + ":read",
                1 << 20, 4096, 1000, 1000, Duration.ofSeconds(10), Duration.ofSeconds(5), 100).withApiKeysFile(keys.toString());
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             GatewayServer gateway = new GatewayServer(settings, client);
             HttpClient http = HttpClient.newHttpClient()) {
            URI models = URI.create("http://127.0.0.1:" + gateway.port() + "/v1/models");
            assertThat(status(http, models, OLD)).isEqualTo(200);
            assertThat(status(http, models, NEW)).isEqualTo(401);

            Path next = Files.writeString(dir.resolve("api-keys.next"), NEW + ":read\n");
            Files.move(next, keys, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            long changed = System.nanoTime();
            while (status(http, models, OLD) == 200) {
                assertThat(Duration.ofNanos(System.nanoTime() - changed)).as("the removed key still works").isLessThan(Duration.ofSeconds(1));
                Thread.sleep(20);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - changed)).isLessThan(Duration.ofSeconds(1));
            assertThat(status(http, models, NEW)).isEqualTo(200);
            assertThat(status(http, models, FIXED)).as("gateway.api-keys stay").isEqualTo(200);

            Files.writeString(keys, NEW + ":read\nnot a key line\n");
            Thread.sleep(3 * ApiKeyRing.REFRESH.toMillis());
            assertThat(status(http, models, NEW)).as("a malformed file leaves the keys as they were").isEqualTo(200);
        }
    }

    @Test
    void aFileAloneMayHoldTheKeysAndAMalformedLineIsNamedNotShown() throws Exception {
        Path keys = Files.writeString(dir.resolve("keys"), OLD + ":read\n");
        GatewaySettings fileOnly = GatewaySettings.plain("127.0.0.1:9", "http://127.0.0.1:9", "127.0.0.1", 0, "",
                1 << 20, 4096, 1, 1, Duration.ofSeconds(1), Duration.ofSeconds(1), 1).withApiKeysFile(keys.toString());
        assertThat(ApiKeyRing.of(fileOnly).current().authenticate(OLD)).isPresent();

        Files.writeString(keys, "# comment\nshort:read\n");
        assertThatThrownBy(() -> ApiKeyRing.of(fileOnly)).hasMessageContaining(keys + " line 2: the key is 5 characters")
                .hasMessageNotContaining("short:");
        Files.writeString(keys, "# every key revoked\n");
        assertThatThrownBy(() -> ApiKeyRing.of(fileOnly)).hasMessageContaining("neither gateway.api-keys nor gateway.api-keys-file holds a key");
        assertThatThrownBy(() -> ApiKeyRing.of(fileOnly.withApiKeysFile(dir.resolve("missing").toString())))
                .hasMessageContaining("cannot read gateway.api-keys-file");
    }

    private static int status(HttpClient http, URI uri, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + key).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
