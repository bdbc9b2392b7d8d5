package pipeline.ops;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pipeline.infra.ApicurioRegistry;
import pipeline.infra.InfraException;
import pipeline.infra.Ports;

class RegistryStartTest {

    @TempDir
    Path dataDir;

    @Test
    void aRegistryThatDoesNotComeUpInTimeIsNamedWithItsLog() {
        assertThatThrownBy(() -> ApicurioRegistry.start(ApicurioRegistry.defaultHome(), dataDir, false,
                Ports.anyFree(), Ports.anyFree(), Duration.ofMillis(300)))
                .isInstanceOf(InfraException.class)
                .hasMessageContaining("Apicurio schema registry")
                .hasMessageContaining("did not report ready at http://127.0.0.1:")
                .hasMessageContaining("Its log: " + dataDir.toAbsolutePath().resolve("registry.log"));
    }
}
