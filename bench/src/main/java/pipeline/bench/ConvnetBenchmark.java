package pipeline.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import pipeline.convnet.kernel.Parallelism;
import pipeline.convnet.net.NetworkSpec;

/**
 * The engine's performance benchmark: SGEMM against OpenBLAS, per-layer GFLOP/s, and whole models
 * (LeNet-5 and ResNet-20 on 28×28 grey, ResNet-18 and MobileNetV2 on 224×224 RGB) against PyTorch
 * 1.13 and ONNX Runtime, at 1 and 2 threads, and the engine's memory per model. Every case is
 * measured once per round, the engines one after another within the round, so a noisy minute hits
 * all of them; the report gives medians over the rounds, their spread, and ratios of medians.
 *
 * <pre>
 * ./pipeline bench-convnet [--rounds 5] [--seconds 1.0] [--out docs/convnet-bench] [--models lenet5,resnet18]
 * </pre>
 */
public final class ConvnetBenchmark {

    static final int[] THREADS = {1, 2};
    /** The memory cases, in the order of {@link EngineCases.Memory}'s components. */
    static final String[] MEMORY = {"weights", "activations", "scratch", "largest activation", "allocated per batch"};
    /** {@code model:mode:batch}; latency is batch-1 inference in µs per image. */
    static final List<String> MODEL_CONFIGS = List.of(
            "lenet5:infer:1", "lenet5:infer:32", "lenet5:infer:256", "lenet5:latency:1", "lenet5:train:64",
            "resnet20:infer:1", "resnet20:infer:32", "resnet20:infer:256", "resnet20:latency:1", "resnet20:train:128",
            "resnet18:infer:1", "resnet18:infer:32", "resnet18:train:32",
            "mobilenetv2:infer:1", "mobilenetv2:infer:32", "mobilenetv2:train:32");
    /** The whole models: their cases above, and their memory at batch 32. */
    static final List<String> MODELS = List.of("lenet5", "resnet20", "resnet18", "mobilenetv2");

    private ConvnetBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        int rounds = 5;
        double seconds = 1.0;
        Path out = Path.of("docs/convnet-bench");
        List<String> models = MODELS;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--models" -> models = models(args[++i]);
                default -> throw new IllegalArgumentException("bench-convnet: unknown option " + args[i]
                        + "; expected --rounds N, --seconds S, --out FOLDER or --models A,B");
            }
        }
        List<String> selected = models;
        List<String> configs = MODEL_CONFIGS.stream().filter(c -> selected.contains(c.split(":")[0])).toList();
        Path root = Path.of("").toAbsolutePath();
        Path onnx = root.resolve("bench/target/onnx");
        TorchCases torch = new TorchCases(root);
        System.out.println("Exporting the PyTorch models to ONNX in " + onnx);
        torch.exportOnnx(onnx);
        OpenBlas blas = OpenBlas.load();
        Results results = new Results();
        for (int round = 1; round <= rounds; round++) {
            System.out.printf("Round %d of %d%n", round, rounds);
            gemm(results, round, blas, seconds);
            layers(results, round, seconds);
            models(results, round, torch, onnx, configs, seconds);
        }
        memory(results, models);
        Files.createDirectories(out);
        results.writeCsv(out.resolve("results.csv"));
        Files.writeString(out.resolve("results.md"), new Report(results, rounds, seconds).markdown());
        System.out.println("Wrote " + out.resolve("results.md") + " and " + out.resolve("results.csv"));
    }

    private static void gemm(Results results, int round, OpenBlas blas, double seconds) throws Exception {
        for (int threads : THREADS) {
            Parallelism.setThreads(threads);
            blas.threads(threads);
            for (GemmCases.Shape shape : GemmCases.SHAPES) {
                Results.Case c = new Results.Case("gemm", shape.name(), "sgemm", 0, threads, "GFLOP/s");
                results.add(round, c, "engine", GemmCases.engine(shape, seconds));
                results.add(round, c, "OpenBLAS", GemmCases.openBlas(blas, shape, seconds));
            }
        }
    }

    private static void layers(Results results, int round, double seconds) throws Exception {
        for (int threads : THREADS) {
            Parallelism.setThreads(threads);
            for (EngineCases.LayerShape shape : EngineCases.LAYERS) {
                int batch = shape.name().startsWith("lenet5") ? 64 : shape.name().startsWith("resnet18") ? 16 : 128;
                for (String pass : EngineCases.PASSES) {
                    Results.Case c = new Results.Case("layer", shape.name(), pass, batch, threads, "GFLOP/s");
                    results.add(round, c, "engine", EngineCases.layer(shape, pass, batch, seconds));
                }
            }
        }
    }

    /** {@code --models}: a comma-separated subset of {@link #MODELS}. */
    private static List<String> models(String list) {
        List<String> models = List.of(list.split(","));
        for (String model : models) {
            if (!MODELS.contains(model)) {
                throw new IllegalArgumentException("bench-convnet: unknown model '" + model + "' in --models; expected some of "
                        + String.join(",", MODELS));
            }
        }
        return models;
    }

    private static void models(Results results, int round, TorchCases torch, Path onnx, List<String> configs, double seconds)
            throws Exception {
        for (int threads : THREADS) {
            Parallelism.setThreads(threads);
            for (String config : configs) {
                String[] p = config.split(":");
                Results.Case c = modelCase(p[0], p[1], Integer.parseInt(p[2]), threads);
                results.add(round, c, "engine", EngineCases.model(p[0], p[1], c.batch(), seconds));
                if (!p[1].equals("train")) {
                    int[] input = NetworkSpec.builtIn(p[0], 1).input();
                    results.add(round, c, "ONNX Runtime",
                            OnnxRuntimeCases.model(onnx, p[0], input, p[1], c.batch(), threads, seconds));
                }
            }
            for (String line : torch.measure(threads, seconds, configs)) {
                String[] f = line.split(",");
                results.add(round, modelCase(f[0], f[1], Integer.parseInt(f[2]), threads), "PyTorch", Double.parseDouble(f[4]));
            }
        }
    }

    /** Serving memory at batch 32 (MB), once: it does not vary from round to round. */
    private static void memory(Results results, List<String> models) {
        Parallelism.setThreads(THREADS[THREADS.length - 1]);
        for (String model : models) {
            EngineCases.Memory m = EngineCases.memory(model, 32);
            double[] values = {m.weights(), m.activations(), m.scratch(), m.largestActivation(), m.allocatedPerBatch()};
            for (int i = 0; i < MEMORY.length; i++) {
                results.add(1, new Results.Case("memory", model, MEMORY[i], 32, Parallelism.threads(), "MB"), "engine", values[i]);
            }
        }
    }

    static Results.Case modelCase(String model, String mode, int batch, int threads) {
        return new Results.Case("model", model, mode, batch, threads, mode.equals("latency") ? "µs/image" : "images/s");
    }
}
