package pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import pipeline.infra.ChildProcess;

/**
 * {@code pipeline run} as a user starts it: a JVM of its own on free ports and a data folder of the
 * test's, its output collected line by line, its services found by name. {@link #close()} kills
 * whatever it started, so a failing test leaves no orphan.
 */
final class StackCommand implements AutoCloseable {

    static final Duration START = Duration.ofMinutes(2);

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<ProcessHandle> started = new ArrayList<>();

    private StackCommand(Process process) {
        this.process = process;
        started.add(process.toHandle());
        Thread.ofVirtual().start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                reader.lines().forEach(line -> {
                    lines.add(line);
                    output.add(line);
                });
            } catch (IOException ignored) {
                // The command ended.
            }
        });
    }

    /** Starts {@code pipeline run ARGS} with every port free-to-choose, plus {@code env} (which wins). */
    static StackCommand start(Path dataDir, Map<String, String> env, String... args) throws IOException {
        List<String> java = new ArrayList<>(List.of(ChildProcess.javaExecutable()));
        java.addAll(ServiceProcess.JVM_FLAGS);
        java.addAll(List.of("-cp", ChildProcess.absoluteClassPath(), PipelineCommand.class.getName(), "run"));
        java.addAll(List.of(args));
        Map<String, String> settings = new HashMap<>(Map.of("PIPELINE_STACK_DATA_DIR", dataDir.toString(),
                "PIPELINE_STACK_KAFKA_PORT", "0", "PIPELINE_STACK_CONTROLLER_PORT", "0",
                "PIPELINE_STACK_REGISTRY_PORT", "0", "PIPELINE_STACK_REGISTRY_MANAGEMENT_PORT", "0",
                "PIPELINE_STACK_GATEWAY_PORT", "0", "PIPELINE_STACK_WORKER_PORT", "0", "PIPELINE_STACK_TRAINER_PORT", "0",
                "PIPELINE_STACK_MODEL_FILE", Path.of("../models/fashion-lenet5.model").toAbsolutePath().toString(),
                "PIPELINE_STACK_DEMO_RGB_MODEL", Path.of("../models/garments-rgb224.onnx").toAbsolutePath().toString()));
        settings.putAll(env);
        // From the project's root, as ./pipeline runs it.
        ProcessBuilder builder = new ProcessBuilder(java).redirectErrorStream(true).directory(Path.of("..").toAbsolutePath().normalize().toFile());
        builder.environment().putAll(settings);
        return new StackCommand(builder.start());
    }

    /** Waits for the ready line; returns the command's child processes (broker, registry and the services). */
    List<ProcessHandle> awaitReady() throws InterruptedException {
        awaitLine("Press Ctrl-C to stop.", START);
        assertThat(output).anyMatch(l -> l.contains("Kafka bootstrap servers   127.0.0.1:"))
                .anyMatch(l -> l.contains("Schema registry           http://127.0.0.1:"));
        List<ProcessHandle> children = process.children().toList();
        started.addAll(children);
        return children;
    }

    /** Waits until the command prints a line starting with {@code prefix}; fails (with the output) after {@code timeout}. */
    String awaitLine(String prefix, Duration timeout) throws InterruptedException {
        return awaitLine(Pattern.compile(Pattern.quote(prefix) + ".*"), timeout).group();
    }

    /** Waits until the command prints a line {@code pattern} matches whole; fails (with the output) after {@code timeout}. */
    Matcher awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(200, TimeUnit.MILLISECONDS);
            if (line != null) {
                Matcher matcher = pattern.matcher(line);
                if (matcher.matches()) {
                    return matcher;
                }
            }
            assertThat(process.isAlive()).as("command still running; output so far: %s", output).isTrue();
        }
        throw new AssertionError("no line matching '" + pattern + "' within " + timeout + "; output: " + output);
    }

    /** The first line printed so far that starts with {@code prefix}. */
    String printed(String prefix) {
        return output.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + prefix + "' in " + output));
    }

    String apiKey() {
        return printed("API key").split("\\s+")[2];
    }

    URI gateway() {
        return URI.create(printed("Gateway").split("\\s+")[1]).resolve("/");
    }

    /** The running process of service {@code name} ("gateway", "worker-1", "trainer"). */
    ProcessHandle service(String name) {
        return process.descendants().filter(ProcessHandle::isAlive)
                .filter(c -> c.info().commandLine().orElse("").contains("-Dpipeline.service=" + name + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no running " + name + " among the stack's processes"));
    }

    List<String> output() {
        return output;
    }

    Process process() {
        return process;
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        started.forEach(ProcessHandle::destroyForcibly);
    }
}
