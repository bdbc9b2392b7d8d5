package pipeline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;

/**
 * The Markdown report: the machine, then one table per section with medians, spread and ratios,
 * and each of the performance issue's bars marked met or not.
 */
final class Report {

    private final Results results;
    private final int rounds;
    private final double seconds;

    Report(Results results, int rounds, double seconds) {
        this.results = results;
        this.rounds = rounds;
        this.seconds = seconds;
    }

    String markdown() throws IOException {
        StringBuilder md = new StringBuilder("# convnet benchmark results\n\n");
        md.append("Written by `./pipeline bench-convnet --rounds ").append(rounds).append(" --seconds ").append(seconds)
                .append("` on ").append(LocalDate.now()).append(". Raw values: `results.csv` beside this file.\n\n");
        md.append("Machine: ").append(machine()).append("\n\n");
        md.append("Each value is the median of ").append(rounds).append(" rounds (± half the range across rounds, in %); ")
                .append("each round measures every case on every engine one after another, each for ").append(seconds)
                .append(" s after a warm-up of half that. PyTorch runs with `OPENBLAS_NUM_THREADS=1` and ")
                .append("`torch.set_num_threads(t)`; ONNX Runtime with `t` intra-op threads, sequential execution, all ")
                .append("graph optimisations.\n\n");
        gemmTable(md);
        layerTable(md);
        modelTable(md);
        memoryTable(md);
        return md.toString();
    }

    private void gemmTable(StringBuilder md) {
        md.append("## SGEMM (GFLOP/s)\n\n| shape (m×n×k) | threads | engine | OpenBLAS | engine / OpenBLAS | bar ≥ 85 % |\n")
                .append("| --- | --- | --- | --- | --- | --- |\n");
        results.bySection("gemm").forEach((c, engines) -> {
            Samples ours = engines.get("engine");
            Samples blas = engines.get("OpenBLAS");
            double ratio = ours.median() / blas.median();
            md.append("| ").append(c.subject()).append(" | ").append(c.threads()).append(" | ").append(value(ours))
                    .append(" | ").append(value(blas)).append(" | ").append(percent(ratio)).append(" | ")
                    .append(ratio >= 0.85 ? "met" : "not met").append(" |\n");
        });
        md.append('\n');
    }

    private void layerTable(StringBuilder md) {
        md.append("## Layers (engine, GFLOP/s of the direct computation's multiply-adds)\n\n")
                .append("Forward and backward as in training (backward counts the input and weight gradients); infer: ")
                .append("inference of the layer as trained; serve: of its serving copy, as a served network runs it ")
                .append("(3×3 stride-1 convolutions of 64 channels or more by Winograd's F(4×4, 3×3) where it pays).\n\n")
                .append("| layer | batch | threads | forward | backward | infer | serve |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- |\n");
        Map<Results.Case, Map<String, Samples>> layers = results.bySection("layer");
        layers.forEach((c, engines) -> {
            if (c.mode().equals("forward")) {
                md.append("| ").append(c.subject()).append(" | ").append(c.batch()).append(" | ").append(c.threads());
                for (String pass : EngineCases.PASSES) {
                    Results.Case other = new Results.Case(c.section(), c.subject(), pass, c.batch(), c.threads(), c.unit());
                    md.append(" | ").append(value(layers.get(other).get("engine")));
                }
                md.append(" |\n");
            }
        });
        md.append('\n');
    }

    private void modelTable(StringBuilder md) {
        md.append("## Whole models (LeNet-5, ResNet-20: 28×28 grey; ResNet-18, MobileNetV2: 224×224 RGB)\n\n")
                .append("Ratios are ours over theirs for images/s, and theirs over ours for latency, so above 1 means the ")
                .append("engine is faster. Bars: inference ≥ ONNX Runtime and ≥ 1.5× PyTorch (batch 32 and 256); ")
                .append("training ≥ 1.2× PyTorch; LeNet-5 batch-1 latency < 50 µs.\n\n")
                .append("| model | mode | batch | threads | unit | engine | PyTorch | ratio | ONNX Runtime | ratio | bar |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        results.bySection("model").forEach((c, engines) -> {
            Samples ours = engines.get("engine");
            Samples torch = engines.get("PyTorch");
            Samples ort = engines.get("ONNX Runtime");
            double vsTorch = ratio(c, ours, torch);
            double vsOrt = ratio(c, ours, ort);
            md.append("| ").append(c.subject()).append(" | ").append(c.mode()).append(" | ").append(c.batch()).append(" | ")
                    .append(c.threads()).append(" | ").append(c.unit()).append(" | ").append(value(ours)).append(" | ")
                    .append(value(torch)).append(" | ").append(times(vsTorch)).append(" | ").append(value(ort)).append(" | ")
                    .append(times(vsOrt)).append(" | ").append(bar(c, ours, vsTorch, vsOrt)).append(" |\n");
        });
        md.append('\n');
    }

    private void memoryTable(StringBuilder md) {
        md.append("## Engine memory, inference at batch 32 (MB)\n\n")
                .append("Weights as served (batch-norm folded); the serving thread's activation buffers (one plan, buffers ")
                .append("reused across layers); the scratch every thread holds (im2col columns, padded images, products); ")
                .append("the bar, weights plus twice the largest activation; and what one batch allocates on all threads ")
                .append("once warmed up (`ThreadMXBean.getTotalThreadAllocatedBytes`, mean of 5 batches after 3 s of warm-up: the results it returns, and ")
                .append("the small objects of parallel regions).\n\n")
                .append("| model | weights | activations | scratch | total | bar | allocated per batch |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- |\n");
        Map<Results.Case, Map<String, Samples>> memory = results.bySection("memory");
        memory.keySet().stream().filter(c -> c.mode().equals(ConvnetBenchmark.MEMORY[0])).forEach(c -> {
            double[] v = new double[ConvnetBenchmark.MEMORY.length];
            for (int i = 0; i < v.length; i++) {
                Results.Case each = new Results.Case(c.section(), c.subject(), ConvnetBenchmark.MEMORY[i], c.batch(), c.threads(), c.unit());
                v[i] = memory.get(each).get("engine").median();
            }
            md.append("| ").append(c.subject()).append(String.format(" | %.1f | %.1f | %.1f | %.1f | %.1f | %.3f |%n",
                    v[0], v[1], v[2], v[0] + v[1] + v[2], v[0] + 2 * v[3], v[4]));
        });
        md.append('\n');
    }

    private static String bar(Results.Case c, Samples ours, double vsTorch, double vsOrt) {
        return switch (c.mode()) {
            case "train" -> vsTorch >= 1.2 ? "met" : "not met";
            case "latency" -> !c.subject().equals("lenet5") ? "–" : ours.median() < 50 ? "met" : "not met";
            default -> c.batch() == 1 ? "–" : vsTorch >= 1.5 && vsOrt >= 1 ? "met" : "not met";
        };
    }

    private static double ratio(Results.Case c, Samples ours, Samples theirs) {
        if (theirs == null || theirs.isEmpty()) {
            return Double.NaN;
        }
        return c.mode().equals("latency") ? theirs.median() / ours.median() : ours.median() / theirs.median();
    }

    private static String value(Samples s) {
        if (s == null || s.isEmpty()) {
            return "–";
        }
        double m = s.median();
        String number = m >= 1000 ? String.format("%,.0f", m) : m >= 10 ? String.format("%.1f", m) : String.format("%.2f", m);
        return number + " ±" + String.format("%.0f", s.spreadPercent()) + "%";
    }

    private static String percent(double ratio) {
        return String.format("%.0f %%", ratio * 100);
    }

    private static String times(double ratio) {
        return Double.isNaN(ratio) ? "–" : String.format("%.2f×", ratio);
    }

    private static String machine() throws IOException {
        String cpu;
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            cpu = lines.filter(l -> l.startsWith("model name")).findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .orElse("unknown CPU");
        }
        long memoryGiB;
        try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
            memoryGiB = lines.filter(l -> l.startsWith("MemTotal")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024 / 1024).orElse(0L);
        }
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, " + memoryGiB + " GiB; Java "
                + Runtime.version() + ", " + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit vectors";
    }
}
