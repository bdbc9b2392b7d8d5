package pipeline.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.config.ClusterSettings;
import pipeline.config.Settings;
import pipeline.config.SettingsException;
import pipeline.schemas.avro.ImageEvent;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.RegistryFront;
import pipeline.testkit.TestCertificates;
import pipeline.testkit.TestRegistry;

/** The registry client against the real registry behind HTTPS of a private CA and an authenticating front. */
@ExtendWith(RealInfrastructure.class)
class SecuredRegistryTest {

    private static final String USER_INFO = "pipeline-gateway:r3g1stry-pass";
    private static final String BASIC = "Basic " + Base64.getEncoder().encodeToString(USER_INFO.getBytes(StandardCharsets.UTF_8));

    @Test
    void basicAuthOverHttpsWithTheSettingsTruststore(TestRegistry registry) throws Exception {
        TestCertificates ca = TestCertificates.shared();
        try (RegistryFront front = RegistryFront.secured(registry.url(), ca, BASIC)) {
            RegistryClientOptions options = RegistryClientOptions.from(Settings.load(ClusterSettings.ALL, null, Map.of(
                    "PIPELINE_REGISTRY_URL", front.url(),
                    "PIPELINE_REGISTRY_BASIC_AUTH_USER_INFO", USER_INFO,
                    "PIPELINE_REGISTRY_TRUSTSTORE", ca.truststore().toString(),
                    "PIPELINE_REGISTRY_TRUSTSTORE_PASSWORD", ca.password())));

            try (SchemaRegistryClient client = new SchemaRegistryClient(options)) {
                int id = client.register("secured-basic-value", ImageEvent.getClassSchema());
                assertThat(client.schemaById(id)).isEqualTo(ImageEvent.getClassSchema());
            }
            assertThat(options.toString()).contains("basic auth as pipeline-gateway", "[hidden]").doesNotContain("r3g1stry-pass",
                    ca.password());
        }
    }

    @Test
    void aBearerTokenAndCredentialsInTheUrlAreSentToo(TestRegistry registry) throws Exception {
        TestCertificates ca = TestCertificates.shared();
        Truststore trust = new Truststore(ca.truststore(), ca.password());
        try (RegistryFront bearer = RegistryFront.secured(registry.url(), ca, "Bearer eyJ0b2tlbi1mb3ItdGVzdHMifQ");
             RegistryFront basic = RegistryFront.secured(registry.url(), ca, BASIC)) {
            RegistryClientOptions byToken = RegistryClientOptions.fromConfigs(Map.of(RegistryClientOptions.URL, bearer.url(),
                    RegistryClientOptions.BEARER_TOKEN, "eyJ0b2tlbi1mb3ItdGVzdHMifQ",
                    RegistryClientOptions.TRUSTSTORE, ca.truststore().toString(),
                    RegistryClientOptions.TRUSTSTORE_PASSWORD, ca.password()));
            RegistryClientOptions byUrl = RegistryClientOptions.of(basic.url().replace("https://", "https://" + USER_INFO + "@"))
                    .withTruststore(trust);

            try (SchemaRegistryClient token = new SchemaRegistryClient(byToken);
                 SchemaRegistryClient url = new SchemaRegistryClient(byUrl)) {
                assertThat(token.register("secured-bearer-value", ImageEvent.getClassSchema())).isPositive();
                assertThat(url.register("secured-url-value", ImageEvent.getClassSchema())).isPositive();
            }
            assertThat(byUrl.baseUrl().toString()).doesNotContain("r3g1stry-pass");
            assertThat(byToken.toString()).doesNotContain("eyJ0b2tlbi1mb3ItdGVzdHMifQ");
        }
    }

    @Test
    void wrongCredentialsAndAnUntrustedCertificateFailWithTheirReason(TestRegistry registry) throws Exception {
        TestCertificates ca = TestCertificates.shared();
        try (RegistryFront front = RegistryFront.secured(registry.url(), ca, BASIC)) {
            RegistryClientOptions wrongPassword = RegistryClientOptions.of(front.url()).withRetries(1, SchemaRegistryClientTest.QUICK)
                    .withTruststore(new Truststore(ca.truststore(), ca.password()))
                    .withCredentials(RegistryCredentials.basic("pipeline-gateway:guess"));
            try (SchemaRegistryClient client = new SchemaRegistryClient(wrongPassword)) {
                assertThatThrownBy(() -> client.register("secured-refused-value", ImageEvent.getClassSchema()))
                        .isInstanceOf(SchemaRegistryException.class)
                        .hasMessageContaining("the registry refused the credentials")
                        .hasMessageNotContaining("guess");
            }
            RegistryClientOptions jdkCas = RegistryClientOptions.of(front.url()).withRetries(1, SchemaRegistryClientTest.QUICK)
                    .withCredentials(RegistryCredentials.basic(USER_INFO));
            try (SchemaRegistryClient client = new SchemaRegistryClient(jdkCas)) {
                assertThatThrownBy(() -> client.register("secured-untrusted-value", ImageEvent.getClassSchema()))
                        .hasMessageContaining("SSLHandshakeException");
            }
        }
    }

    @Test
    void settingsThatCannotWorkAreRefusedAtStart() {
        assertThatThrownBy(() -> RegistryClientOptions.from(Settings.load(ClusterSettings.ALL, null, Map.of(
                "PIPELINE_REGISTRY_BASIC_AUTH_USER_INFO", USER_INFO, "PIPELINE_REGISTRY_BEARER_TOKEN", "t"))))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("both registry.basic-auth-user-info and registry.bearer-token are set");
        assertThatThrownBy(() -> RegistryClientOptions.from(Settings.load(ClusterSettings.ALL, null, Map.of(
                "PIPELINE_REGISTRY_BASIC_AUTH_USER_INFO", "no-colon"))))
                .hasMessageContaining("not user:password");
        assertThatThrownBy(() -> RegistryClientOptions.from(Settings.load(ClusterSettings.ALL, null, Map.of(
                "PIPELINE_REGISTRY_TRUSTSTORE", "/nonexistent/ca.p12"))))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("the truststore /nonexistent/ca.p12 is not a readable file");
        TestCertificates ca = TestCertificates.shared();
        assertThatThrownBy(() -> new Truststore(ca.truststore(), "not-the-password").sslContext())
                .hasMessageContaining("cannot read the truststore " + ca.truststore())
                .hasMessageNotContaining("not-the-password");
    }
}
