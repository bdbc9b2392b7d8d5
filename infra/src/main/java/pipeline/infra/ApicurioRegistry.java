package pipeline.infra;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Apicurio Registry, from its prebuilt server archive on Maven Central, run as a child process on
 * 127.0.0.1. Its Confluent-compatible API is at {@link #confluentUrl()}.
 *
 * <p>With a data folder, schemas persist in an H2 file there, so the schema ids inside records
 * already in Kafka still resolve after a restart; without one, they live in memory.
 */
public final class ApicurioRegistry implements AutoCloseable {

    /** Setting that points to an unpacked Apicurio, overriding the one the build unpacked. */
    public static final String HOME_PROPERTY = "pipeline.apicurio.home";

    private static final String NAME = "Apicurio schema registry";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final ChildProcess process;
    private final int port;

    private ApicurioRegistry(ChildProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts the registry and returns once it reports ready.
     *
     * @param home           the unpacked archive (holding {@code quarkus-run.jar}); see {@link #defaultHome()}
     * @param dataDir        where its database and log go
     * @param persistent     keep schemas in an H2 file under {@code dataDir}, or in memory
     * @param port           HTTP API port on 127.0.0.1
     * @param managementPort health and metrics port on 127.0.0.1
     */
    public static ApicurioRegistry start(Path home, Path dataDir, boolean persistent, int port, int managementPort,
                                         Duration timeout) {
        Path runner = requireInstalled(home);
        Path data = dataDir.toAbsolutePath();
        try {
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new InfraException("Cannot create the registry's data folder " + data + ": " + e.getMessage(), e);
        }
        List<String> command = new ArrayList<>(List.of(ChildProcess.javaExecutable(), "-Xmx256m",
                "-Dquarkus.http.host=" + Ports.LOOPBACK,
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.host=" + Ports.LOOPBACK,
                "-Dquarkus.management.port=" + managementPort));
        if (persistent) {
            command.add("-Dapicurio.datasource.url=jdbc:h2:file:" + data.resolve("registry-db"));
        }
        command.addAll(List.of("-jar", runner.toString()));
        ChildProcess process = ChildProcess.start(NAME, command, data, data.resolve("registry.log"));
        ApicurioRegistry registry = new ApicurioRegistry(process, port);
        URI health = URI.create("http://" + Ports.LOOPBACK + ":" + managementPort + "/health/ready");
        try {
            process.awaitReady(() -> answersOk(health), timeout, "report ready at " + health);
        } catch (RuntimeException e) {
            process.stop(Duration.ofSeconds(5));
            throw e;
        }
        return registry;
    }

    /** The server's runner jar under {@code home}; fails naming the folder and how to fill it when it is not there. */
    public static Path requireInstalled(Path home) {
        Path runner = home.resolve("quarkus-run.jar");
        if (!Files.isRegularFile(runner)) {
            throw new InfraException("Apicurio Registry is not at " + home + " (no quarkus-run.jar there). Build the"
                    + " project (./pipeline build unpacks it) or point -D" + HOME_PROPERTY + " or the setting"
                    + " stack.registry-home to an unpacked io.apicurio:apicurio-registry-app:all archive.");
        }
        return runner;
    }

    /** The archive the infra module's build unpacked, or the folder named by {@value #HOME_PROPERTY}. */
    public static Path defaultHome() {
        String override = System.getProperty(HOME_PROPERTY);
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        Properties built = new Properties();
        try (InputStream in = ApicurioRegistry.class.getResourceAsStream("apicurio.properties")) {
            if (in == null) {
                throw new InfraException("The infra module's apicurio.properties is missing from the class path; rebuild with ./mvnw package");
            }
            built.load(in);
        } catch (IOException e) {
            throw new InfraException("Cannot read apicurio.properties: " + e.getMessage(), e);
        }
        return Path.of(built.getProperty("home"));
    }

    /** The Confluent-compatible REST API, e.g. {@code http://127.0.0.1:8081/apis/ccompat/v7}. */
    public String confluentUrl() {
        return "http://" + Ports.LOOPBACK + ":" + port + "/apis/ccompat/v7";
    }

    /** SIGKILL: a crash; a persistent registry keeps what it had for a restart on the same data folder and ports. */
    public void kill() {
        process.kill();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(30));
    }

    private static boolean answersOk(URI uri) {
        try {
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
