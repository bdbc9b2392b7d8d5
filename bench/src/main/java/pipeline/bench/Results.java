package pipeline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every measurement of a run, by case and engine, with the raw values kept for the CSV. */
final class Results {

    /** What was measured: e.g. {@code model resnet20, mode infer, batch 32, threads 2, unit images/s}. */
    record Case(String section, String subject, String mode, int batch, int threads, String unit) {
    }

    private final Map<Case, Map<String, Samples>> samples = new LinkedHashMap<>();
    private final List<String> csv = new ArrayList<>(List.of("round,section,subject,mode,batch,threads,unit,engine,value"));

    void add(int round, Case c, String engine, double value) {
        samples.computeIfAbsent(c, k -> new LinkedHashMap<>()).computeIfAbsent(engine, k -> new Samples()).add(value);
        csv.add(String.join(",", String.valueOf(round), c.section(), c.subject(), c.mode(), String.valueOf(c.batch()),
                String.valueOf(c.threads()), c.unit(), engine, String.format("%.3f", value)));
    }

    Map<Case, Map<String, Samples>> bySection(String section) {
        Map<Case, Map<String, Samples>> out = new LinkedHashMap<>();
        samples.forEach((c, engines) -> {
            if (c.section().equals(section)) {
                out.put(c, engines);
            }
        });
        return out;
    }

    void writeCsv(Path file) throws IOException {
        Files.write(file, csv);
    }
}
