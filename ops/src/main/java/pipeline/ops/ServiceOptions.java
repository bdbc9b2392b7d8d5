package pipeline.ops;

import java.nio.file.Path;
import java.util.List;
import pipeline.config.Setting;
import pipeline.config.Settings;
import pipeline.config.ValueType;

/**
 * Which services {@code ./pipeline run} starts beside broker and registry, and where; settings
 * {@code stack.*} / {@code PIPELINE_STACK_*}. A port of 0 means any free port.
 *
 * @param gatewayPort the HTTP API on 127.0.0.1
 * @param workers     inference worker processes (they share the partitions of {@code images})
 * @param workerPort  the first worker's health and metrics port; the others count up from it
 * @param modelFile   the model the {@code models} topic is seeded with when it has no version of its name
 * @param trainer     whether the trainer runs
 * @param trainerPort the trainer's health and metrics port
 */
public record ServiceOptions(int gatewayPort, int workers, int workerPort, Path modelFile, boolean trainer, int trainerPort) {

    static final Setting<Integer> GATEWAY_PORT = Setting.of("stack.gateway-port", ValueType.port(), 8080,
            "the gateway's HTTP API on 127.0.0.1");
    static final Setting<Integer> WORKERS = Setting.of("stack.workers", ValueType.integer(0, 16), 1,
            "inference worker processes (0: none)");
    static final Setting<Integer> WORKER_PORT = Setting.of("stack.worker-port", ValueType.port(), 9400,
            "first worker's health and metrics port; the next ones count up");
    static final Setting<Path> MODEL_FILE = Setting.of("stack.model-file", ValueType.path(), Path.of("models/fashion-lenet5.model"),
            "model published as version 1 when the models topic has no version of its name");

    static final Setting<Boolean> TRAINER = Setting.of("stack.trainer", ValueType.bool(), true,
            "run the trainer (feedback topology and continuous training)");
    static final Setting<Integer> TRAINER_PORT = Setting.of("stack.trainer-port", ValueType.port(), 9500,
            "the trainer's health and metrics port");

    static final List<Setting<?>> SETTINGS = List.of(GATEWAY_PORT, WORKERS, WORKER_PORT, MODEL_FILE, TRAINER, TRAINER_PORT);

    ServiceOptions withModelFile(Path file) {
        return new ServiceOptions(gatewayPort, workers, workerPort, file, trainer, trainerPort);
    }

    public static ServiceOptions from(Settings settings) {
        return new ServiceOptions(settings.get(GATEWAY_PORT), settings.get(WORKERS), settings.get(WORKER_PORT), settings.get(MODEL_FILE),
                settings.get(TRAINER), settings.get(TRAINER_PORT));
    }
}
