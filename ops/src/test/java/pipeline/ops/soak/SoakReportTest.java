package pipeline.ops.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoakReportTest {

    @TempDir
    Path dir;

    @Test
    void aSteadyRunHoldsAndItsTableHasARowAMinute() {
        SoakReport report = new SoakReport(run(12, minute -> 300.0, minute -> 10.0, minute -> 0L, minute -> 41L), "test load", 2);

        assertThat(report.verdict().holds()).as(report.verdict().findings().toString()).isTrue();
        assertThat(report.markdown()).contains("| 12 | 6000 | 0 | 4.0 | 10.0 | 300 | 300 |").contains("Verdict: holds")
                .contains("warm-up: the first 2 minutes");
    }

    @Test
    void memoryThatKeepsGrowingAfterWarmUpFailsTheVerdictNamingTheProcess() {
        SoakReport report = new SoakReport(run(12, minute -> 300.0 + 10 * minute, minute -> 10.0, minute -> 0L, minute -> 41L), "", 2);

        SoakReport.Verdict verdict = report.verdict();
        assertThat(verdict.flatMemory()).isFalse();
        assertThat(verdict.findings()).anyMatch(f -> f.startsWith("gateway: 350 → 420 MiB (+20.0 %)"));
    }

    @Test
    void aFailureARestartOrARisingP99FailsTheVerdict() {
        assertThat(new SoakReport(run(12, m -> 300.0, m -> 10.0, m -> m == 7 ? 3L : 0L, m -> 41L), "", 2).verdict().noFailure()).isFalse();
        assertThat(new SoakReport(run(12, m -> 300.0, m -> 10.0, m -> 0L, m -> m < 8 ? 41L : 42L), "", 2).verdict().noFailure())
                .as("a process whose pid changed was restarted").isFalse();
        assertThat(new SoakReport(run(12, m -> 300.0, m -> m < 8 ? 10.0 : 40.0, m -> 0L, m -> 41L), "", 2).verdict().stableP99()).isFalse();
    }

    @Test
    void thePlotIsAPicture() throws Exception {
        Path png = dir.resolve("soak.png");
        new SoakReport(run(30, m -> 300.0 + m, m -> 10.0, m -> 0L, m -> 41L), "", 2).draw(png);

        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(900);
        assertThat(image.getHeight()).isEqualTo(640);
    }

    private interface PerMinute<T> {
        T at(int minute);
    }

    /** {@code minutes} minutes of a stack of a gateway and a broker (both with {@code rss} MiB and pid {@code pid}). */
    private static List<SoakMinute> run(int minutes, PerMinute<Double> rss, PerMinute<Double> p99, PerMinute<Long> failed,
                                        PerMinute<Long> pid) {
        List<SoakMinute> run = new ArrayList<>();
        for (int m = 1; m <= minutes; m++) {
            StackProcesses.Sample sample = new StackProcesses.Sample(pid.at(m), rss.at(m));
            run.add(new SoakMinute(m, 6000, failed.at(m), 4.0, p99.at(m), Map.of("gateway", sample, "kafka", sample),
                    Map.of("gateway", 12.0), Map.of("gateway", 5.0), 0, m));
        }
        return run;
    }
}
