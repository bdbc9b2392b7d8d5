package pipeline.ops;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import pipeline.infra.ChildProcess;

/**
 * One service of the stack (gateway, worker, trainer) as a JVM of its own, so that a crash takes
 * down that service only. The {@link Supervisor} restarts it when it exits without being asked to,
 * and says so.
 *
 * @param name       "gateway", "worker-1", …
 * @param mainClass  the service's main class, on this JVM's class path
 * @param heap       its {@code -Xmx}, e.g. "1g"
 * @param env        its settings as {@code PIPELINE_…} variables
 * @param readyUrl   answers 200 once the service does its job
 * @param background runs at a lower CPU priority: training gives the cores to serving when both want them
 */
record ServiceProcess(String name, String mainClass, String heap, Map<String, String> env, URI readyUrl, Path log,
                      boolean background) {

    /** A service at normal priority. */
    ServiceProcess(String name, String mainClass, String heap, Map<String, String> env, URI readyUrl, Path log) {
        this(name, mainClass, heap, env, readyUrl, log, false);
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    /** The flags every JVM of the project needs (see the shared toolchain notes). */
    static final List<String> JVM_FLAGS = List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow", "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=pipeline.schemas.avro");

    /**
     * Starts it with {@link #env} over this process's environment, less the Kafka client properties and registry
     * settings {@code env} does not give: a service reaches the cluster {@code env} names, not one a caller's
     * environment meant for a cluster of its own ({@code PIPELINE_KAFKA_SECURITY_PROTOCOL=SASL_SSL} set for a
     * production cluster would break the local stack's services on its PLAINTEXT broker).
     */
    ChildProcess start(Path workDir) {
        // The name first, so that ps (and a test) can tell the services apart before the long class path.
        List<String> command = new ArrayList<>(List.of(ChildProcess.javaExecutable(), "-Dpipeline.service=" + name));
        command.addAll(JVM_FLAGS);
        command.addAll(List.of("-Xmx" + heap, "-cp", ChildProcess.absoluteClassPath(), mainClass));
        return ChildProcess.start(name, background ? ChildProcess.inBackground(command) : command, workDir, log, env,
                variable -> (variable.startsWith("PIPELINE_KAFKA_") || variable.startsWith("PIPELINE_REGISTRY_"))
                        && !env.containsKey(variable));
    }

    /** Whether {@link #readyUrl()} answers 200 now. */
    boolean ready() {
        try {
            return HTTP.send(HttpRequest.newBuilder(readyUrl).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void describe(PrintStream out) {
        out.printf("  %-25s %s  (log %s)%n", name, readyUrl.resolve("/"), log);
    }
}
