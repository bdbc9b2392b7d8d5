package pipeline.ops;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import pipeline.config.Setting;
import pipeline.config.Settings;
import pipeline.config.ValueType;
import pipeline.infra.ApicurioRegistry;

/**
 * What the local stack needs to start; every field is a setting ({@code stack.*}, or
 * {@code PIPELINE_STACK_*}). A port of 0 means any free port.
 *
 * @param dataDir                holds the broker's data, the registry's database and both logs
 * @param kafkaPort              Kafka clients connect here on 127.0.0.1
 * @param controllerPort         the KRaft controller listener
 * @param registryPort           the registry's REST API
 * @param registryManagementPort the registry's health endpoints
 * @param registryHome           the unpacked Apicurio archive
 * @param startTimeout           how long each of broker and registry may take to become ready
 */
public record StackOptions(Path dataDir, int kafkaPort, int controllerPort, int registryPort,
                           int registryManagementPort, Path registryHome, Duration startTimeout) {

    static final Setting<Path> DATA_DIR = Setting.of("stack.data-dir", ValueType.path(), Path.of(".local-stack"),
            "folder for the broker's data, the registry's database and their logs");
    static final Setting<Integer> KAFKA_PORT = Setting.of("stack.kafka-port", ValueType.port(), 9092,
            "Kafka client port on 127.0.0.1");
    static final Setting<Integer> CONTROLLER_PORT = Setting.of("stack.controller-port", ValueType.port(), 9093,
            "KRaft controller port on 127.0.0.1");
    static final Setting<Integer> REGISTRY_PORT = Setting.of("stack.registry-port", ValueType.port(), 8081,
            "schema registry REST port on 127.0.0.1");
    static final Setting<Integer> REGISTRY_MANAGEMENT_PORT = Setting.of("stack.registry-management-port",
            ValueType.port(), 8082, "schema registry health port on 127.0.0.1");
    static final Setting<Path> REGISTRY_HOME = Setting.of("stack.registry-home", ValueType.path(),
            ApicurioRegistry.defaultHome(), "the unpacked Apicurio Registry archive (the build unpacks one)");
    static final Setting<Duration> START_TIMEOUT = Setting.of("stack.start-timeout", ValueType.duration(),
            Duration.ofMinutes(2), "how long broker and registry may each take to become ready");

    static final List<Setting<?>> SETTINGS = List.of(DATA_DIR, KAFKA_PORT, CONTROLLER_PORT, REGISTRY_PORT,
            REGISTRY_MANAGEMENT_PORT, REGISTRY_HOME, START_TIMEOUT);

    public static StackOptions from(Settings settings) {
        return new StackOptions(settings.get(DATA_DIR), settings.get(KAFKA_PORT), settings.get(CONTROLLER_PORT),
                settings.get(REGISTRY_PORT), settings.get(REGISTRY_MANAGEMENT_PORT), settings.get(REGISTRY_HOME),
                settings.get(START_TIMEOUT));
    }
}
