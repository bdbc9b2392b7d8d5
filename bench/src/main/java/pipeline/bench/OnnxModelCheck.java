package pipeline.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import pipeline.convnet.init.Initializer;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.model.ModelInfo;
import pipeline.convnet.net.Network;
import pipeline.convnet.net.NetworkSpec;
import pipeline.convnet.net.ServingNetwork;
import pipeline.convnet.tensor.Tensor;
import pipeline.onnx.OnnxExporter;
import pipeline.onnx.OnnxModels;
import pipeline.onnx.UnsupportedModelException;

/**
 * Every {@code *.onnx} classifier in a folder imported into the engine and run beside ONNX Runtime on the
 * same images: the largest difference of the logits relative to their largest magnitude, for the graph as
 * imported and for its serving copy (fused), printed as a Markdown table (docs/onnx.md).
 *
 * <pre>java -cp convnet-bench.jar pipeline.bench.OnnxModelCheck DIR [--built-in alexnet,vgg16]</pre>
 * With {@code --built-in}, those built-in specs (weights from a seed) are first written to DIR as ONNX,
 * and a second table holds their round trip: the imported model's logits and ONNX Runtime's against
 * the engine's on the network as declared (the two largest specs, too large for a unit test's heap).
 */
public final class OnnxModelCheck {

    /** The bar the issue sets for imported models: the engine's logits equal ONNX Runtime's within 1e-4 relative. */
    static final double BAR = 1e-4;

    private OnnxModelCheck() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1 && !(args.length == 3 && args[1].equals("--built-in"))) {
            System.err.println("usage: OnnxModelCheck DIR [--built-in SPEC,SPEC] (a folder of ONNX image classifiers)");
            System.exit(2);
        }
        boolean all = args.length != 3 || roundTrips(Path.of(args[0]), List.of(args[2].split(",")));
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of(args[0]))) {
            files = s.filter(p -> p.toString().endsWith(".onnx")).sorted().toList();
        }
        System.out.println("| model | parameters | nodes | input | import (s) | graph vs ORT | serving vs ORT | within 1e-4 |");
        System.out.println("| --- | ---: | ---: | --- | ---: | ---: | ---: | --- |");
        for (Path file : files) {
            String name = file.getFileName().toString().replaceFirst("\\.onnx$", "");
            long start = System.nanoTime();
            ModelFile model;
            try {
                model = OnnxModels.importClassifier(file, null, OnnxModels.IMAGENET, name);
            } catch (UnsupportedModelException e) {
                System.out.println("| " + name + " | | | | | unsupported: " + String.join("; ", e.problems()) + " | | no |");
                all = false;
                continue;
            }
            double importSeconds = (System.nanoTime() - start) / 1e9;
            Tensor images = EngineCases.images(model.network().input(), 2);
            float[] expected = onnxRuntime(file, images);
            double graph = difference(model.network().forward(images, Mode.INFER).data(), expected);
            double serving = difference(ServingNetwork.of(model.network()).logits(images).data(), expected);
            boolean within = graph <= BAR && serving <= BAR;
            all &= within;
            long parameters = model.network().parameters().stream().mapToLong(p -> p.value().size()).sum();
            int[] in = model.network().input();
            System.out.printf("| %s | %,d | %d | %d×%d×%d | %.1f | %.1e | %.1e | %s |%n", name, parameters,
                    model.network().graph().nodes().size(), in[0], in[1], in[2], importSeconds, graph, serving, within ? "yes" : "NO");
        }
        System.exit(all ? 0 : 1);
    }

    /**
     * Built-in specs written to {@code dir} as ONNX ({@code builtin-NAME.onnx}) and read back: the imported
     * model's logits and ONNX Runtime's, each against the engine's on the network as written.
     */
    private static boolean roundTrips(Path dir, List<String> specs) throws Exception {
        Files.createDirectories(dir);
        System.out.println("| built-in spec | parameters | imported vs engine | ORT vs engine | within 1e-5 |");
        System.out.println("| --- | ---: | ---: | ---: | --- |");
        boolean all = true;
        for (String spec : specs) {
            Network network = NetworkSpec.builtIn(spec, 1);
            new Initializer(Initializer.Scheme.HE, 7).initialise(network.graph());
            List<String> classes = IntStream.range(0, network.classes()).mapToObj(Integer::toString).toList();
            Path file = dir.resolve("builtin-" + spec + ".onnx");
            OnnxExporter.write(new ModelFile(network, OnnxModels.IMAGENET, classes,
                    new ModelInfo(spec, 1, null, Instant.now(), Map.of())), file);
            Tensor images = EngineCases.images(network.input(), 2);
            float[] engine = network.forward(images, Mode.INFER).data();
            long parameters = network.parameters().stream().mapToLong(p -> p.value().size()).sum();
            network = null;
            double imported = difference(OnnxModels.importClassifier(file, classes, OnnxModels.IMAGENET, spec).network()
                    .forward(images, Mode.INFER).data(), engine);
            double runtime = difference(onnxRuntime(file, images), engine);
            boolean within = imported <= 1e-5 && runtime <= 1e-5;
            all &= within;
            System.out.printf("| %s | %,d | %.1e | %.1e | %s |%n", spec, parameters, imported, runtime, within ? "yes" : "NO");
            Files.delete(file);
        }
        System.out.println();
        return all;
    }

    /** The largest difference, relative to the largest magnitude of the expected values. */
    private static double difference(float[] actual, float[] expected) {
        double largest = 0;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            largest = Math.max(largest, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        return worst / Math.max(largest, 1e-12);
    }

    private static float[] onnxRuntime(Path file, Tensor images) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(images.data(), 0, images.size()),
                     java.util.Arrays.stream(images.shape()).mapToLong(Long::valueOf).toArray());
             OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(), input))) {
            float[][] logits = (float[][]) result.get(0).getValue();
            float[] flat = new float[logits.length * logits[0].length];
            for (int i = 0; i < logits.length; i++) {
                System.arraycopy(logits[i], 0, flat, i * logits[0].length, logits[0].length);
            }
            return flat;
        }
    }
}
