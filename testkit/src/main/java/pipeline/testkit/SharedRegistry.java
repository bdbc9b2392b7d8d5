package pipeline.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import pipeline.infra.ApicurioRegistry;
import pipeline.infra.Ports;

/** Apicurio Registry from the archive the build unpacked, in memory, on free loopback ports. */
final class SharedRegistry implements TestRegistry, AutoCloseable {

    private final ApicurioRegistry registry;

    private SharedRegistry(ApicurioRegistry registry) {
        this.registry = registry;
    }

    static SharedRegistry start() throws Exception {
        Path dataDir = Files.createTempDirectory("apicurio-");
        return new SharedRegistry(ApicurioRegistry.start(ApicurioRegistry.defaultHome(), dataDir, false,
                Ports.anyFree(), Ports.anyFree(), Duration.ofSeconds(90)));
    }

    @Override
    public String url() {
        return registry.confluentUrl();
    }

    @Override
    public void close() {
        registry.close();
    }
}
