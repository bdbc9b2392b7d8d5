package pipeline.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.net.ServingNetwork;
import pipeline.convnet.tensor.Tensor;
import pipeline.onnx.OnnxModels;
import pipeline.onnx.UnsupportedModelException;

/**
 * Every {@code *.onnx} classifier in a folder imported into the engine and run beside ONNX Runtime on the
 * same images: the largest difference of the logits relative to their largest magnitude, for the graph as
 * imported and for its serving copy (fused), printed as a Markdown table (docs/onnx.md).
 *
 * <pre>java -cp convnet-bench.jar pipeline.bench.OnnxModelCheck DIR</pre>
 */
public final class OnnxModelCheck {

    /** The bar the issue sets for imported models: the engine's logits equal ONNX Runtime's within 1e-4 relative. */
    static final double BAR = 1e-4;

    private OnnxModelCheck() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: OnnxModelCheck DIR (a folder of ONNX image classifiers)");
            System.exit(2);
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of(args[0]))) {
            files = s.filter(p -> p.toString().endsWith(".onnx")).sorted().toList();
        }
        System.out.println("| model | parameters | nodes | input | import (s) | graph vs ORT | serving vs ORT | within 1e-4 |");
        System.out.println("| --- | ---: | ---: | --- | ---: | ---: | ---: | --- |");
        boolean all = true;
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
