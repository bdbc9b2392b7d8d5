package pipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
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

/** With a keystore configured the gateway speaks only HTTPS, with that certificate. */
@ExtendWith(RealInfrastructure.class)
class TlsTest {

    static final String KEY = "tls-reader-key-0123456789";
    static final String PASSWORD = "changeit-for-tests";

    @Test
    void aConfiguredKeystoreServesHttpsWithItsCertificate(TestKafka kafka, TestRegistry registry, @TempDir Path dir) throws Exception {
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
        }
        Path keystore = dir.resolve("gateway.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "gateway", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", PASSWORD).redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0)
                .as("keytool: %s", new String(keytool.getInputStream().readAllBytes())).isTrue();

        GatewaySettings settings = new GatewaySettings(kafka.bootstrapServers(), registry.url(), "127.0.0.1", 0, KEY + ":read",
                1 << 20, 4096, 1000, 1000, Duration.ofSeconds(10), Duration.ofSeconds(5), 100, keystore.toString(), PASSWORD);
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             GatewayServer gateway = new GatewayServer(settings, client);
             HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(keystore)).build();
             HttpClient strangers = HttpClient.newHttpClient()) {
            URI health = URI.create("https://127.0.0.1:" + gateway.port() + "/health");
            HttpResponse<String> response = trusting.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> strangers.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString()))
                    .as("a client that does not trust the certificate").isInstanceOf(SSLHandshakeException.class);
            assertThatThrownBy(() -> trusting.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/health"))
                    .build(), HttpResponse.BodyHandlers.ofString())).as("plain HTTP on the TLS port").isInstanceOf(IOException.class);
        }
    }

    private static SSLContext trusting(Path keystore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
