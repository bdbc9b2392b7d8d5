package pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    static final Setting<Integer> MAX_BATCH = Setting.of("worker.max-batch", ValueType.integer(1, 4096), 32, "most images in a batch");
    static final Setting<Duration> MAX_DELAY = Setting.of("worker.max-delay", ValueType.duration(), Duration.ofMillis(20), "longest wait for a batch");
    static final Setting<String> BOOTSTRAP = Setting.of("kafka.bootstrap-servers", ValueType.text(), "127.0.0.1:9092", "brokers");
    static final List<Setting<?>> WORKER = List.of(MAX_BATCH, MAX_DELAY, BOOTSTRAP);

    @TempDir
    Path dir;

    @Test
    void defaultsApplyWhenNothingIsSet() {
        Settings settings = Settings.load(WORKER, null, Map.of());

        assertThat(settings.get(MAX_BATCH)).isEqualTo(32);
        assertThat(settings.get(MAX_DELAY)).isEqualTo(Duration.ofMillis(20));
        assertThat(settings.origin(MAX_BATCH)).isEqualTo(Settings.Origin.DEFAULT);
    }

    @Test
    void fileOverridesDefaultAndEnvironmentOverridesFile() throws IOException {
        Path file = write("worker.max-batch=64\nworker.max-delay=5ms\n");

        Settings settings = Settings.load(WORKER, file, Map.of("PIPELINE_WORKER_MAX_BATCH", "128"));

        assertThat(settings.get(MAX_BATCH)).isEqualTo(128);
        assertThat(settings.origin(MAX_BATCH)).isEqualTo(Settings.Origin.ENVIRONMENT);
        assertThat(settings.get(MAX_DELAY)).isEqualTo(Duration.ofMillis(5));
        assertThat(settings.origin(MAX_DELAY)).isEqualTo(Settings.Origin.FILE);
    }

    @Test
    void invalidValueNamesKeySourceAndExpectedForm() {
        assertThatThrownBy(() -> Settings.load(WORKER, null, Map.of("PIPELINE_WORKER_MAX_BATCH", "lots")))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("worker.max-batch")
                .hasMessageContaining("PIPELINE_WORKER_MAX_BATCH")
                .hasMessageContaining("'lots'")
                .hasMessageContaining("an integer from 1 to 4096");
    }

    @Test
    void outOfRangeValueIsRefused() throws IOException {
        Path file = write("worker.max-batch=0\n");

        assertThatThrownBy(() -> Settings.load(WORKER, file, Map.of()))
                .hasMessageContaining("worker.max-batch in " + file + " is '0'; expected an integer from 1 to 4096");
    }

    @Test
    void unknownKeyInOwnScopeIsATypoAndListsTheKnownKeys() throws IOException {
        Path file = write("worker.max-bach=10\n");

        assertThatThrownBy(() -> Settings.load(WORKER, file, Map.of()))
                .hasMessageContaining("unknown setting worker.max-bach")
                .hasMessageContaining("worker.max-batch, worker.max-delay");
    }

    @Test
    void unknownEnvironmentVariableInOwnScopeFails() {
        assertThatThrownBy(() -> Settings.load(WORKER, null, Map.of("PIPELINE_WORKER_BATCHSIZE", "10")))
                .hasMessageContaining("PIPELINE_WORKER_BATCHSIZE");
    }

    @Test
    void keysOfOtherServicesAreLeftToThem() throws IOException {
        Path file = write("gateway.port=8080\n");

        Settings settings = Settings.load(WORKER, file, Map.of("PIPELINE_TRAINER_THREADS", "1"));

        assertThat(settings.get(MAX_BATCH)).isEqualTo(32);
    }

    @Test
    void aScopeNoServiceReadsFails() {
        assertThatThrownBy(() -> Settings.load(WORKER, null, Map.of("PIPELINE_WROKER_MAX_BATCH", "1")))
                .hasMessageContaining("no part of the system reads scope 'wroker'");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThatThrownBy(() -> Settings.load(WORKER, null,
                Map.of("PIPELINE_WORKER_MAX_BATCH", "x", "PIPELINE_WORKER_MAX_DELAY", "soon")))
                .hasMessageContaining("worker.max-batch")
                .hasMessageContaining("worker.max-delay")
                .hasMessageContaining("a duration such as 250ms");
    }

    @Test
    void requiredSettingWithoutValueSaysHowToSetIt() {
        Setting<String> key = Setting.required("gateway.admin-key", ValueType.text(), "the admin API key");

        assertThatThrownBy(() -> Settings.load(List.of(key), null, Map.of()))
                .hasMessageContaining("gateway.admin-key is required")
                .hasMessageContaining("PIPELINE_GATEWAY_ADMIN_KEY");
    }

    @Test
    void unreadableFileIsNamed() {
        Path missing = dir.resolve("nope.properties");

        assertThatThrownBy(() -> Settings.load(WORKER, missing, Map.of()))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void otherEnvironmentVariablesAreIgnored() {
        Settings settings = Settings.load(WORKER, null, Map.of("HOME", "/root", "PIPELINE_CONFIG", ""));

        assertThat(settings.get(BOOTSTRAP)).isEqualTo("127.0.0.1:9092");
    }

    @Test
    void undefinedKeysOfTheOpenKafkaScopePassThroughAsClientProperties() throws IOException {
        Path file = write("kafka.security.protocol=SASL_SSL\nkafka.sasl.mechanism=PLAIN\n");

        Settings settings = Settings.load(WORKER, file, Map.of("PIPELINE_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "PIPELINE_KAFKA_SASL_JAAS_CONFIG", "ScramLoginModule required;"));

        assertThat(settings.passThrough("kafka")).containsExactlyInAnyOrderEntriesOf(Map.of("security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", "ScramLoginModule required;"));
        assertThat(settings.get(BOOTSTRAP)).isEqualTo("127.0.0.1:9092");
    }

    @Test
    void aServiceThatDoesNotReadKafkaGetsNoClientProperties() {
        Settings settings = Settings.load(List.of(MAX_BATCH), null, Map.of("PIPELINE_KAFKA_SECURITY_PROTOCOL", "SSL"));

        assertThat(settings.passThrough("kafka")).isEmpty();
        assertThatThrownBy(() -> settings.passThrough("worker")).hasMessageContaining("scope 'worker' is not open");
    }

    @Test
    void aSecretIsNeverShownInAnError() {
        Setting<String> password = Setting.of("registry.truststore-password", ValueType.secret(), "", "a password");
        Setting<Integer> port = Setting.of("registry.port", ValueType.port(), 1, "a port");

        assertThatThrownBy(() -> Settings.load(List.of(password, port), null,
                Map.of("PIPELINE_REGISTRY_TRUSTSTORE_PASSWORD", "hunter2", "PIPELINE_REGISTRY_PORT", "x")))
                .hasMessageContaining("registry.port")
                .hasMessageNotContaining("hunter2");
        assertThat(Settings.load(List.of(password), null, Map.of("PIPELINE_REGISTRY_TRUSTSTORE_PASSWORD", "")).get(password))
                .isEmpty();
    }

    private Path write(String text) throws IOException {
        return Files.writeString(dir.resolve("service.properties"), text);
    }
}
