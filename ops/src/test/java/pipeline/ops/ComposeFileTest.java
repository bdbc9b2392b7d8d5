package pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.yaml.snakeyaml.Yaml;
import pipeline.config.Setting;
import pipeline.config.Settings;
import pipeline.gateway.GatewaySettings;
import pipeline.trainer.TrainerSettings;
import pipeline.worker.WorkerSettings;

/**
 * {@code docker-compose.yml}, checked as a file since no Docker engine runs here: it parses, each
 * image is one the build makes (Jib, profile {@code images}) or a pinned public one, each setting a
 * service is given is one that service reads and holds a valid value, and the ports, scrape targets
 * and mounted files fit together.
 */
class ComposeFileTest {

    static final Path ROOT = Path.of("..");

    /** The settings each of our services reads, by compose service name. */
    static final Map<String, List<Setting<?>>> SETTINGS = Map.of("gateway", GatewaySettings.ALL,
            "inference-worker", WorkerSettings.ALL, "trainer", TrainerSettings.ALL, "provision", Provisioning.SETTINGS);

    private static Map<String, Map<String, Object>> services;
    private static Document parentPom;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws Exception {
        Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
        services = (Map<String, Map<String, Object>>) compose.get("services");
        parentPom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(ROOT.resolve("pom.xml").toFile());
    }

    @Test
    void runsBrokerRegistryEveryServiceAndPrometheus() {
        assertThat(services).containsKeys("kafka", "schema-registry", "provision", "gateway", "inference-worker", "trainer",
                "prometheus");
        assertThat(replicas("inference-worker")).as("several workers").isGreaterThan(1);
        services.forEach((name, service) -> dependencies(service).forEach(dependency ->
                assertThat(services).as("%s depends on %s", name, dependency).containsKey(dependency)));
    }

    @Test
    void everyImageIsBuiltByJibOrAPinnedPublicOne() throws IOException {
        Set<String> built = imageModules().stream().map(module -> jibImage().replace("${project.artifactId}", module)
                .replace("${project.version}", text("version"))).collect(Collectors.toSet());
        services.forEach((name, service) -> {
            String image = (String) service.get("image");
            assertThat(image).as("%s's image", name).isNotBlank();
            if (image.startsWith("pipeline/")) {
                assertThat(built).as("%s's image %s is one the images profile builds", name, image).contains(image);
            } else {
                String tag = image.substring(image.lastIndexOf(':') + 1);
                assertThat(image).as("%s's image names a tag", name).contains(":");
                assertThat(tag).as("%s's public image is pinned to a version", name).isNotEqualTo("latest").containsPattern("\\d");
            }
        });
        assertThat(built).as("every service image the build makes is deployed")
                .allSatisfy(image -> assertThat(services.values()).anyMatch(s -> image.equals(s.get("image"))));
        assertThat((String) services.get("kafka").get("image")).as("the broker is the Kafka version the code is built and tested with")
                .endsWith(":" + text("properties/kafka.version"));
    }

    @Test
    void everyPipelineVariableIsASettingOfThatServiceWithAValidValue() {
        SETTINGS.forEach((name, definitions) -> {
            Map<String, String> env = environment(name);
            Set<String> known = definitions.stream().map(Setting::envName).collect(Collectors.toSet());
            assertThat(env.keySet()).as("variables %s gives, all settings it reads", name).isSubsetOf(known);
            assertThatCode(() -> Settings.load(definitions, null, env)).as("%s's settings", name).doesNotThrowAnyException();
        });
        services.forEach((name, service) -> {
            if (!SETTINGS.containsKey(name)) {
                assertThat(environment(name).keySet()).as("%s is not ours: no PIPELINE_ settings", name)
                        .noneMatch(key -> key.startsWith(Settings.ENV_PREFIX));
            }
        });
    }

    @Test
    void theServicesFindBrokerAndRegistryByServiceName() {
        SETTINGS.keySet().forEach(name -> {
            Map<String, String> env = environment(name);
            String broker = env.get("PIPELINE_KAFKA_BOOTSTRAP_SERVERS");
            assertThat(broker).as("%s's brokers", name).isEqualTo("kafka:9092");
            assertThat(environment("kafka").get("KAFKA_ADVERTISED_LISTENERS")).contains("//" + broker);
            URI registry = URI.create(env.get("PIPELINE_REGISTRY_URL"));
            assertThat(services).containsKey(registry.getHost());
            assertThat(environment(registry.getHost()).get("SCHEMA_REGISTRY_LISTENERS")).endsWith(":" + registry.getPort());
        });
    }

    @Test
    void publishedPortsDoNotClashAndReplicatedServicesPublishNone() {
        Map<String, String> hostPorts = new HashMap<>();
        services.forEach((name, service) -> {
            List<String> ports = ports(service);
            if (replicas(name) > 1) {
                assertThat(ports).as("%s runs %d replicas: a fixed host port would clash", name, replicas(name)).isEmpty();
            }
            ports.forEach(mapping -> {
                String host = mapping.split(":")[0];
                assertThat(hostPorts.put(host, name)).as("host port %s published by %s and %s", host, hostPorts.get(host), name)
                        .isNull();
            });
        });
        assertThat(ports(services.get("gateway"))).containsExactly(environment("gateway").get("PIPELINE_GATEWAY_PORT") + ":"
                + environment("gateway").get("PIPELINE_GATEWAY_PORT"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusScrapesEveryServiceWhereItListens() throws IOException {
        String mount = ((List<String>) services.get("prometheus").get("volumes")).getFirst();
        Path config = ROOT.resolve(mount.split(":")[0]);
        assertThat(config).as("the file compose mounts into Prometheus").isRegularFile();
        assertThat(mount.split(":")[1]).isEqualTo("/etc/prometheus/prometheus.yml");
        Map<String, Object> prometheus = new Yaml().load(Files.readString(config));
        Map<String, String> targets = new HashMap<>();
        for (Map<String, Object> job : (List<Map<String, Object>>) prometheus.get("scrape_configs")) {
            for (Map<String, Object> statics : (List<Map<String, Object>>) job.getOrDefault("static_configs", List.of())) {
                ((List<String>) statics.get("targets")).forEach(t -> targets.put(t.split(":")[0], t.split(":")[1]));
            }
            for (Map<String, Object> dns : (List<Map<String, Object>>) job.getOrDefault("dns_sd_configs", List.of())) {
                ((List<String>) dns.get("names")).forEach(n -> targets.put(n, dns.get("port").toString()));
            }
        }

        assertThat(targets).containsEntry("gateway", environment("gateway").get("PIPELINE_GATEWAY_PORT"))
                .containsEntry("inference-worker", environment("inference-worker").get("PIPELINE_WORKER_HTTP_PORT"))
                .containsEntry("trainer", environment("trainer").get("PIPELINE_TRAINER_HTTP_PORT"));
        assertThat(List.of(environment("gateway").get("PIPELINE_GATEWAY_HOST"), environment("inference-worker").get("PIPELINE_WORKER_HTTP_HOST"),
                environment("trainer").get("PIPELINE_TRAINER_HTTP_HOST"))).as("listening beyond the container's loopback")
                .containsOnly("0.0.0.0");
    }

    /** A service's environment, values as strings, with compose's {@code ${NAME:-default}} and {@code ${NAME:?error}} filled in. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> environment(String name) {
        Map<String, Object> raw = (Map<String, Object>) services.get(name).getOrDefault("environment", Map.of());
        Map<String, String> env = new LinkedHashMap<>();
        raw.forEach((key, value) -> env.put(key, interpolate(String.valueOf(value), Map.of())));
        return env;
    }

    /**
     * {@code value} with compose's {@code ${NAME}}, {@code ${NAME:-default}} and {@code ${NAME:?error}} filled in as a
     * user's {@code shell} could: its value of NAME, else the default when there is one, else a 20-character stand-in secret.
     */
    static String interpolate(String value, Map<String, String> shell) {
        Matcher matcher = Pattern.compile("\\$\\{(\\w+)(?::?-([^}]*)|:?\\?[^}]*)?}").matcher(value);
        return matcher.replaceAll(m -> Matcher.quoteReplacement(shell.containsKey(m.group(1)) ? shell.get(m.group(1))
                : m.group(2) != null ? m.group(2) : "x".repeat(20)));
    }

    @SuppressWarnings("unchecked")
    private static List<String> ports(Map<String, Object> service) {
        return ((List<Object>) service.getOrDefault("ports", List.of())).stream().map(String::valueOf).toList();
    }

    @SuppressWarnings("unchecked")
    private static int replicas(String name) {
        Map<String, Object> deploy = (Map<String, Object>) services.get(name).getOrDefault("deploy", Map.of());
        return (Integer) deploy.getOrDefault("replicas", 1);
    }

    @SuppressWarnings("unchecked")
    private static List<String> dependencies(Map<String, Object> service) {
        Object dependsOn = service.getOrDefault("depends_on", List.of());
        return dependsOn instanceof Map<?, ?> map ? new ArrayList<>((Set<String>) map.keySet()) : (List<String>) dependsOn;
    }

    /** Modules with a container image: runnable ones ({@code pipeline.not.runnable} false) that do not opt out. */
    private static List<String> imageModules() throws IOException {
        List<String> modules = new ArrayList<>();
        for (int i = 0; i < parentPom.getElementsByTagName("module").getLength(); i++) {
            String module = parentPom.getElementsByTagName("module").item(i).getTextContent();
            String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
            if (pom.contains("<pipeline.not.runnable>false</pipeline.not.runnable>") && !pom.contains("<pipeline.no.image>true")) {
                modules.add(module);
            }
        }
        return modules;
    }

    private static String jibImage() {
        String to = parentPom.getElementsByTagName("to").item(0).getTextContent().strip();
        assertThat(to).as("the images profile's Jib target").startsWith("pipeline/");
        return to;
    }

    /** The text of the parent POM's top-level element at {@code path} ("version", "properties/kafka.version"). */
    private static String text(String path) {
        try {
            return XPathFactory.newInstance().newXPath().evaluate("/project/" + path, parentPom);
        } catch (XPathExpressionException e) {
            throw new AssertionError(path, e);
        }
    }
}
