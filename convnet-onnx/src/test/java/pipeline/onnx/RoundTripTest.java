package pipeline.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pipeline.convnet.data.Normalisation;
import pipeline.convnet.init.Initializer;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.model.ModelInfo;
import pipeline.convnet.net.Network;
import pipeline.convnet.net.NetworkSpec;
import pipeline.convnet.net.ServingNetwork;
import pipeline.convnet.tensor.Tensor;

/**
 * Engine models written as ONNX and read back: the same outputs, and ONNX Runtime computes from the
 * written file what the engine computes (within 1e-5 of the largest logit), for networks as declared
 * and as fused for serving: the built-in specs but AlexNet's and VGG-16's (61 and 138 million weights,
 * held several times over by a round trip: `./pipeline check-onnx` round-trips them), and a graph
 * with branches.
 */
class RoundTripTest {

    @TempDir
    Path dir;

    /** A graph with branches, sums, products by constants, concatenation and every activation the exporter writes. */
    static final String BRANCHES = """
            input 3 12 10
            conv 8 kernel=3,2 stride=1,1 padding=1,0 dilation=2,1 bias=false
            batchnorm eps=0.001
            stem: relu
            conv 4 kernel=1 from=stem
            a: leaky-relu slope=0.1
            conv 4 kernel=3 padding=1 groups=4 from=a
            b: hard-swish
            scale: const shape=1,4,1,1 value=0.5
            c: mul from=b,scale
            d: concat from=a,c
            e: add from=d,stem
            relu6
            maxpool kernel=3 stride=2 padding=1 ceil=true
            avgpool kernel=2 count-padding=false
            prelu shape=8,1,1
            lrn size=3 alpha=0.001 beta=0.75 bias=2
            slice starts=0,1 ends=8,100 axes=1,3 steps=1,1
            sigmoid
            reduce-mean axes=3 keepdims=true
            global-avgpool
            linear 16
            tanh
            hard-sigmoid
            dropout 0.5
            linear 5
            """;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lenet5", "vgg-small", "resnet20", "resnet18", "mobilenetv2", "branches"})
    void writtenAndReadBackGivesTheSameLogitsAndOnnxRuntimeAgrees(String which) throws Exception {
        ModelFile model = model(which);
        Path file = dir.resolve(which + ".onnx");
        OnnxExporter.write(model, file);
        Tensor images = images(model.network(), 3);

        ModelFile imported = OnnxModels.importClassifier(file, null, null, which);
        float[] engine = model.network().forward(images, Mode.INFER).data();
        assertClose(imported.network().forward(images, Mode.INFER).data(), engine, "imported again");
        assertThat(imported.classNames()).isEqualTo(model.classNames());
        assertThat(imported.normalisation().mean()).containsExactly(model.normalisation().mean());
        assertClose(onnxRuntime(file, images), engine, "ONNX Runtime");

        ServingNetwork serving = ServingNetwork.of(model.network());
        Path fused = dir.resolve(which + "-fused.onnx");
        OnnxExporter.write(new ModelFile(serving.network(), model.normalisation(), model.classNames(), model.info()), fused);
        assertClose(onnxRuntime(fused, images), serving.logits(images).data(), "ONNX Runtime on the fused network");
    }

    @Test
    void aModelThatIsNotAnImageClassifierIsRefused() throws IOException {
        Path file = dir.resolve("broken.onnx");
        Files.write(file, new byte[] {1, 2, 3, 4, 5});
        assertThatThrownBy(() -> OnnxModels.importClassifier(file, null, null, "x")).hasMessageContaining(file.toString())
                .hasMessageContaining("is not an ONNX model");
        assertThatThrownBy(() -> OnnxModels.importClassifier(dir.resolve("missing.onnx"), null, null, "x"))
                .hasMessageContaining("does not exist");
        ModelFile model = model("lenet5");
        Path good = dir.resolve("lenet5.onnx");
        OnnxExporter.write(model, good);
        assertThatThrownBy(() -> OnnxModels.importClassifier(good, List.of("a", "b"), null, "x"))
                .hasMessageContaining("2 class names for a model with 10 outputs");
    }

    static ModelFile model(String which) {
        Network network = which.equals("branches") ? NetworkSpec.parse(BRANCHES, 1) : NetworkSpec.builtIn(which, 1);
        new Initializer(Initializer.Scheme.HE, 7).initialise(network.graph());
        network.forward(images(network, 8), Mode.TRAIN);
        int classes = network.classes();
        List<String> names = IntStream.range(0, classes).mapToObj(i -> "class " + i).toList();
        float[] mean = new float[network.input()[0]];
        float[] std = new float[network.input()[0]];
        Arrays.fill(mean, 0.25f);
        Arrays.fill(std, 0.5f);
        return new ModelFile(network, new Normalisation(mean, std), names,
                new ModelInfo(which, 3, null, Instant.parse("2026-12-03T12:00:00Z"), Map.of()));
    }

    static Tensor images(Network network, int n) {
        Tensor images = Tensor.zeros(network.batchShape(n));
        SplittableRandom random = new SplittableRandom(n);
        for (int i = 0; i < images.size(); i++) {
            images.data()[i] = (float) random.nextGaussian();
        }
        return images;
    }

    static float[] onnxRuntime(Path file, Tensor images) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(images.data(), 0, images.size()),
                     Arrays.stream(images.shape()).mapToLong(Long::valueOf).toArray());
             OrtSession.Result result = session.run(Map.of("input", input))) {
            float[][] logits = (float[][]) result.get(0).getValue();
            float[] flat = new float[logits.length * logits[0].length];
            for (int i = 0; i < logits.length; i++) {
                System.arraycopy(logits[i], 0, flat, i * logits[0].length, logits[0].length);
            }
            return flat;
        }
    }

    /** Equal within 1e-5 of the largest magnitude among the expected values. */
    static void assertClose(float[] actual, float[] expected, String what) {
        double largest = 1e-6;
        for (float v : expected) {
            largest = Math.max(largest, Math.abs(v));
        }
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("%s: value %d", what, i).isCloseTo(expected[i], within(1e-5 * largest));
        }
    }
}
