package pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ./pipeline} script finds a JDK 25 by itself, or says in one line what to install. */
class FindJdkTest {

    static final Path SCRIPT = Path.of("..", "pipeline").toAbsolutePath().normalize();
    static final Path RUNNING_JDK = Path.of(System.getProperty("java.home"));

    @TempDir
    Path empty;

    @Test
    void honoursJavaHomeWhenItIsRecentEnough() throws Exception {
        Result result = javaHome(Map.of("JAVA_HOME", RUNNING_JDK.toString(), "JDK_SEARCH_ROOTS", empty.toString()));

        assertThat(result.exit()).isZero();
        assertThat(result.out().strip()).isEqualTo(RUNNING_JDK.toString());
    }

    @Test
    void looksElsewhereWhenJavaHomeIsNotAJdk25() throws Exception {
        Result result = javaHome(Map.of("JAVA_HOME", empty.toString(),
                "JDK_SEARCH_ROOTS", RUNNING_JDK.getParent().toString()));

        assertThat(result.exit()).isZero();
        assertThat(Path.of(result.out().strip()).getParent()).isEqualTo(RUNNING_JDK.getParent());
        assertThat(result.err()).contains("JAVA_HOME is " + empty + ", not a JDK; using ");
    }

    @Test
    void noJdkIsOneLineSayingWhatToInstall() throws Exception {
        Result result = javaHome(Map.of("JAVA_HOME", empty.toString(), "JDK_SEARCH_ROOTS", empty.toString(),
                "PATH", toolsWithoutJava().toString()));

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err().lines()).singleElement().asString()
                .startsWith("pipeline: no JDK 25 or newer found")
                .contains("searched " + empty)
                .contains("Install one")
                .contains("JAVA_HOME");
    }

    record Result(int exit, String out, String err) {}

    /** A PATH holding only the tools the script uses, so no system JDK can be found through it. */
    private Path toolsWithoutJava() throws IOException {
        Path tools = Files.createDirectories(empty.getParent().resolve("tools"));
        for (String tool : new String[] {"sed", "dirname", "head", "readlink"}) {
            Path link = tools.resolve(tool);
            if (!Files.exists(link)) {
                Files.createSymbolicLink(link, Path.of("/usr/bin", tool));
            }
        }
        return tools;
    }

    private Result javaHome(Map<String, String> env) throws IOException, InterruptedException {
        Path out = Files.createTempFile(empty.getParent(), "out", ".txt");
        Path err = Files.createTempFile(empty.getParent(), "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder("/bin/bash", SCRIPT.toString(), "java-home")
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().remove("JAVA_HOME");
        builder.environment().putAll(env);
        Process process = builder.start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
