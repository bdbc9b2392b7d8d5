package pipeline.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ONNX's own backend test data (Debian's libonnx-testdata, ONNX 1.12; the test command installs it):
 * every case under node, pytorch-converted and pytorch-operator either passes or is reported unsupported
 * by name with its reason; none fails. The counts and the list go to standard output and to
 * {@code target/onnx-conformance.txt}.
 */
class ConformanceTest {

    static final Path DATA = Path.of("/usr/share/libonnx-testdata/data");

    @Test
    void everySupportedCaseOfOnnxsOwnTestDataPasses() throws IOException {
        assertThat(DATA.resolve("node")).as("Debian's libonnx-testdata (./pipeline test installs it)").isDirectory();
        StringBuilder report = new StringBuilder();
        List<Conformance.Outcome> failed = new ArrayList<>();
        for (String suite : List.of("node", "pytorch-converted", "pytorch-operator")) {
            Map<Conformance.Verdict, Integer> counts = new EnumMap<>(Conformance.Verdict.class);
            StringBuilder lines = new StringBuilder();
            for (Path dir : Conformance.cases(DATA.resolve(suite))) {
                Conformance.Outcome outcome = Conformance.run(dir);
                counts.merge(outcome.verdict(), 1, Integer::sum);
                if (outcome.verdict() != Conformance.Verdict.PASSED) {
                    lines.append("  ").append(outcome.verdict()).append(' ').append(outcome.name()).append(": ")
                            .append(outcome.detail()).append('\n');
                }
                if (outcome.verdict() == Conformance.Verdict.FAILED) {
                    failed.add(outcome);
                }
            }
            report.append(suite).append(": ").append(counts.getOrDefault(Conformance.Verdict.PASSED, 0)).append(" passed, ")
                    .append(counts.getOrDefault(Conformance.Verdict.FAILED, 0)).append(" failed, ")
                    .append(counts.getOrDefault(Conformance.Verdict.UNSUPPORTED, 0)).append(" unsupported\n").append(lines);
        }
        System.out.println(report);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/onnx-conformance.txt"), report);
        assertThat(failed).as("cases the importer took whose outputs are wrong").isEmpty();
    }
}
