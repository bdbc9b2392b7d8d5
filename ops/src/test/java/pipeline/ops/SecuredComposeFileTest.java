package pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import pipeline.config.Setting;
import pipeline.config.Settings;
import pipeline.gateway.GatewaySettings;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.testkit.TestCertificates;
import pipeline.trainer.TrainerSettings;
import pipeline.worker.WorkerSettings;

/**
 * {@code deploy/secured-cluster.yml}, checked as a file since no Docker engine runs here: each service
 * is one docker-compose.yml runs, from the same image; its variables are settings it reads (or Kafka
 * client properties) and hold valid values once the user's variables and the mounted files are in;
 * it reaches Kafka over SASL_SSL as the principal provision grants its ACLs to; and no secret is
 * written in the file.
 */
class SecuredComposeFileTest {

    private static final Path FILE = ComposeFileTest.ROOT.resolve("deploy/secured-cluster.yml");

    /** Each service's settings, and how it reads them (so that what it checks at start is checked here). */
    private static final Map<String, List<Setting<?>>> SETTINGS = Map.of("provision", AccessGrants.SETTINGS, "gateway", GatewaySettings.ALL,
            "inference-worker", WorkerSettings.ALL, "trainer", TrainerSettings.ALL);
    private static final Map<String, Function<Settings, Object>> READ = Map.of("provision", AccessGrants::byPrincipal,
            "gateway", GatewaySettings::from, "inference-worker", WorkerSettings::from, "trainer", TrainerSettings::from);
    private static final Map<String, Setting<String>> PRINCIPAL = Map.of("gateway", AccessGrants.GATEWAY_PRINCIPAL,
            "inference-worker", AccessGrants.WORKER_PRINCIPAL, "trainer", AccessGrants.TRAINER_PRINCIPAL);

    private static Map<String, Map<String, Object>> services;
    private static Map<String, Map<String, Object>> plainServices;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws Exception {
        services = (Map<String, Map<String, Object>>) new Yaml().<Map<String, Object>>load(Files.readString(FILE)).get("services");
        plainServices = (Map<String, Map<String, Object>>) new Yaml().<Map<String, Object>>load(
                Files.readString(ComposeFileTest.ROOT.resolve("docker-compose.yml"))).get("services");
    }

    @Test
    void runsTheServicesOfDockerComposeFromTheSameImagesAndNoBrokerOrRegistry() {
        assertThat(services.keySet()).containsExactlyInAnyOrderElementsOf(SETTINGS.keySet());
        services.forEach((name, service) -> assertThat(service.get("image")).as("%s's image", name)
                .isEqualTo(plainServices.get(name).get("image")));
    }

    @Test
    void everyServiceReadsItsSettingsAndReachesKafkaAsThePrincipalProvisionGrants(@TempDir Path dir) throws Exception {
        Path keys = Files.writeString(dir.resolve("api-keys"), "k".repeat(24) + ":ingest\n");
        Map<String, String> shell = Map.of("TRUSTSTORE", TestCertificates.shared().truststore().toString(), "API_KEYS_FILE", keys.toString(),
                "KAFKA_BOOTSTRAP_SERVERS", "broker-1:9093,broker-2:9093", "REGISTRY_URL", "https://registry:8443/apis/ccompat/v7",
                "REGISTRY_USER_INFO", "pipeline-services:a-stand-in-secret");
        Map<String, KafkaConnection> connections = new HashMap<>();
        Settings provision = null;
        for (String name : services.keySet()) {
            Map<String, String> env = environment(name, shell);
            assertThat(env.keySet()).as("variables %s gives: settings it reads, or Kafka client properties", name)
                    .allMatch(key -> key.startsWith("PIPELINE_KAFKA_")
                            || SETTINGS.get(name).stream().anyMatch(setting -> setting.envName().equals(key)));
            Settings settings = Settings.load(SETTINGS.get(name), null, env);
            READ.get(name).apply(settings);
            assertThat(RegistryClientOptions.from(settings).truststore()).as("%s's registry truststore", name).isNotNull();
            connections.put(name, KafkaConnection.from(settings));
            if (name.equals("provision")) {
                provision = settings;
            }
        }

        for (Map.Entry<String, KafkaConnection> service : connections.entrySet()) {
            Map<String, String> kafka = service.getValue().properties();
            assertThat(kafka).as("%s's Kafka client", service.getKey()).containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
            assertThat(Path.of(kafka.get("ssl.truststore.location"))).as("%s's mounted truststore", service.getKey()).isRegularFile();
            if (PRINCIPAL.containsKey(service.getKey())) {
                assertThat("User:" + username(kafka.get("sasl.jaas.config"))).as("%s's principal", service.getKey())
                        .isEqualTo(provision.get(PRINCIPAL.get(service.getKey())));
            }
        }
    }

    @Test
    void noSecretIsWrittenInTheFile() {
        Pattern jaasPassword = Pattern.compile("password=\"([^\"]*)\"");
        services.forEach((name, service) -> rawEnvironment(name).forEach((key, value) -> {
            if (key.contains("PASSWORD") || key.contains("USER_INFO")) {
                assertThat(value).as("%s's %s comes from the user's variables", name, key).startsWith("${");
            }
            if (key.contains("JAAS")) {
                Matcher password = jaasPassword.matcher(value);
                assertThat(password.find()).as("%s's %s holds a password", name, key).isTrue();
                assertThat(password.group(1)).as("%s's Kafka password comes from the user's variables", name).startsWith("${");
            }
        }));
    }

    /** The user name in a SCRAM JAAS configuration. */
    private static String username(String jaas) {
        Matcher matcher = Pattern.compile("username=\"([^\"]+)\"").matcher(jaas);
        assertThat(matcher.find()).as("a user name in %s", jaas).isTrue();
        return matcher.group(1);
    }

    /** A service's environment with the {@code shell}'s variables filled in and container paths turned into the host files mounted there. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> environment(String name, Map<String, String> shell) {
        Map<String, String> mounts = ((List<String>) services.get(name).getOrDefault("volumes", List.of())).stream()
                .map(volume -> ComposeFileTest.interpolate(volume, shell).split(":"))
                .collect(Collectors.toMap(parts -> parts[1], parts -> parts[0]));
        Map<String, String> env = new HashMap<>();
        rawEnvironment(name).forEach((key, value) -> {
            String filled = ComposeFileTest.interpolate(value, shell);
            env.put(key, mounts.getOrDefault(filled, filled));
        });
        return env;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> rawEnvironment(String name) {
        Map<String, String> env = new HashMap<>();
        ((Map<String, Object>) services.get(name).getOrDefault("environment", Map.of())).forEach((key, value) -> env.put(key, String.valueOf(value)));
        return env;
    }
}
