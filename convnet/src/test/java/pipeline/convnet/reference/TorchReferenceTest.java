package pipeline.convnet.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import pipeline.convnet.kernel.Pooling;
import pipeline.convnet.layer.Activation;
import pipeline.convnet.layer.AvgPool2d;
import pipeline.convnet.layer.BatchNorm2d;
import pipeline.convnet.layer.Conv1d;
import pipeline.convnet.layer.Conv2d;
import pipeline.convnet.layer.Layer;
import pipeline.convnet.layer.Linear;
import pipeline.convnet.layer.MaxPool2d;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.layer.Parameter;
import pipeline.convnet.loss.SoftmaxCrossEntropy;
import pipeline.convnet.net.Network;
import pipeline.convnet.net.NetworkSpec;
import pipeline.convnet.tensor.Tensor;

/**
 * The engine held to PyTorch 1.13's numbers (float64), written by {@code convnet/tools/torch_reference.py}.
 * Inputs and weights come from a closed form both sides compute ({@link #fill}); the files hold results.
 * Tolerance: 1e-4 relative (plus 1e-5 absolute) per layer, 1e-3 for whole networks, as float32 sums drift.
 */
class TorchReferenceTest {

    static final Path DIR = Path.of("src/test/resources/torch-reference");

    /** A 3×2 window, stride 2×1, padding 2 on top, 1 on the right (torch_reference.py's AsymmetricPool). */
    private static final Pooling.Slide ASYMMETRIC_ROWS = new Pooling.Slide(3, 2, 1, 2, 0);
    private static final Pooling.Slide ASYMMETRIC_COLS = new Pooling.Slide(2, 1, 1, 0, 1);

    static Stream<Arguments> layers() {
        return Stream.of(
                Arguments.of("conv2d", Conv2d.square(3, 4, 3, 1, 0, 1, 1, true), new int[] {2, 3, 7, 7}, Mode.TRAIN),
                Arguments.of("conv2d-stride2-pad1", Conv2d.square(3, 4, 3, 2, 1, 1, 1, true), new int[] {2, 3, 7, 7}, Mode.TRAIN),
                Arguments.of("conv2d-dilation2", Conv2d.square(3, 2, 3, 1, 2, 2, 1, true), new int[] {2, 3, 7, 7}, Mode.TRAIN),
                Arguments.of("conv2d-groups2", Conv2d.square(4, 6, 3, 1, 1, 1, 2, true), new int[] {2, 4, 6, 6}, Mode.TRAIN),
                Arguments.of("conv2d-depthwise-nobias", Conv2d.square(4, 4, 3, 1, 1, 1, 4, false), new int[] {2, 4, 6, 6}, Mode.TRAIN),
                Arguments.of("conv2d-1x1-stride2", Conv2d.square(4, 3, 1, 2, 0, 1, 1, false), new int[] {2, 4, 6, 6}, Mode.TRAIN),
                Arguments.of("conv1d", new Conv1d(2, 3, 3, 2, 1, 2, 1, true), new int[] {2, 2, 11}, Mode.TRAIN),
                Arguments.of("maxpool-3-2-1", new MaxPool2d(3, 2, 1), new int[] {2, 3, 7, 7}, Mode.TRAIN),
                Arguments.of("avgpool-3-2-1", new AvgPool2d(3, 2, 1), new int[] {2, 3, 7, 7}, Mode.TRAIN),
                Arguments.of("maxpool-3-2-1-dilation2-ceil", new MaxPool2d(new Pooling.Slide(3, 2, 2, 1, 1),
                        new Pooling.Slide(3, 2, 2, 1, 1), true), new int[] {2, 3, 8, 8}, Mode.TRAIN),
                Arguments.of("maxpool-2-ceil", new MaxPool2d(Pooling.Slide.of(2, 2, 0), Pooling.Slide.of(2, 2, 0), true),
                        new int[] {2, 3, 7, 7}, Mode.TRAIN),
                Arguments.of("avgpool-3-2-1-ceil", new AvgPool2d(Pooling.Slide.of(3, 2, 1), Pooling.Slide.of(3, 2, 1), true, true),
                        new int[] {2, 3, 8, 8}, Mode.TRAIN),
                Arguments.of("avgpool-3-2-1-ceil-padding-not-counted", new AvgPool2d(Pooling.Slide.of(3, 2, 1),
                        Pooling.Slide.of(3, 2, 1), true, false), new int[] {2, 3, 8, 8}, Mode.TRAIN),
                Arguments.of("maxpool-3x2-asymmetric", new MaxPool2d(ASYMMETRIC_ROWS, ASYMMETRIC_COLS, false),
                        new int[] {2, 3, 7, 6}, Mode.TRAIN),
                Arguments.of("avgpool-3x2-asymmetric", new AvgPool2d(ASYMMETRIC_ROWS, ASYMMETRIC_COLS, false, true),
                        new int[] {2, 3, 7, 6}, Mode.TRAIN),
                Arguments.of("avgpool-3x2-asymmetric-padding-not-counted", new AvgPool2d(ASYMMETRIC_ROWS, ASYMMETRIC_COLS,
                        false, false), new int[] {2, 3, 7, 6}, Mode.TRAIN),
                Arguments.of("relu", new Activation.Relu(), new int[] {2, 3, 5, 5}, Mode.TRAIN),
                Arguments.of("leaky-relu", new Activation.LeakyRelu(0.1f), new int[] {2, 3, 5, 5}, Mode.TRAIN),
                Arguments.of("sigmoid", new Activation.Sigmoid(), new int[] {2, 3, 5, 5}, Mode.TRAIN),
                Arguments.of("tanh", new Activation.Tanh(), new int[] {2, 3, 5, 5}, Mode.TRAIN),
                Arguments.of("linear", new Linear(7, 5, true), new int[] {3, 7}, Mode.TRAIN),
                Arguments.of("batchnorm-train", new BatchNorm2d(3), new int[] {2, 3, 5, 5}, Mode.TRAIN),
                Arguments.of("batchnorm-eval", new BatchNorm2d(3), new int[] {2, 3, 5, 5}, Mode.INFER));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void layerForwardAndBackwardMatchPyTorch(String name, Layer layer, int[] inputShape, Mode mode) throws IOException {
        Map<String, double[]> expected = read(name);
        setParameters(layer.parameters());
        Tensor x = fill(inputShape, 1, "input");

        Tensor y = layer.forward(x, mode);
        Tensor gradIn = layer.backward(fill(y.shape(), 2, "input"));

        close(name + " output", y.data(), expected.get("output"), 1e-4);
        close(name + " input gradient", gradIn.data(), expected.get("grad_input"), 1e-4);
        List<Parameter> params = layer.parameters();
        String[] torchNames = {"weight", "bias"};
        for (int i = 0; i < params.size(); i++) {
            close(name + " " + params.get(i).name() + " gradient", params.get(i).grad().data(),
                    expected.get("grad_" + torchNames[i]), 1e-4);
        }
        if (layer instanceof BatchNorm2d bn) {
            close(name + " running mean", bn.runningMean(), expected.get("running_mean"), 1e-4);
            close(name + " running variance", bn.runningVar(), expected.get("running_var"), 1e-4);
        }
    }

    @Test
    void crossEntropyWithLabelSmoothingMatchesPyTorch() throws IOException {
        Map<String, double[]> expected = read("cross-entropy-smoothing");

        var result = new SoftmaxCrossEntropy(0.1f).compute(fill(new int[] {3, 5}, 1, "input"), new int[] {0, 3, 4});

        close("loss", new float[] {result.loss()}, expected.get("loss"), 1e-5);
        close("gradient", result.gradLogits().data(), expected.get("grad_logits"), 1e-5);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void wholeNetworkTrainingStepMatchesPyTorch(String name, String architecture) throws IOException {
        Map<String, double[]> expected = read(name);
        Path spec = Path.of("src/test/resources/specs", architecture + ".net");
        Network network = Files.exists(spec) ? NetworkSpec.parse(Files.readString(spec), 1) : NetworkSpec.builtIn(architecture, 1);
        setParameters(network.parameters());
        int[] labels = {3, 7};
        Tensor x = fill(network.batchShape(2), 1, "input");

        Tensor logits = network.forward(x, Mode.TRAIN);
        var result = new SoftmaxCrossEntropy(0f).compute(logits, labels);
        Tensor gradIn = network.backward(result.gradLogits());

        close(name + " logits", logits.data(), expected.get("logits"), 1e-3);
        close(name + " loss", new float[] {result.loss()}, expected.get("loss"), 1e-3);
        summary(name + " input gradient", gradIn.data(), expected, "grad_input");
        List<Parameter> params = network.parameters();
        assertThat(params).hasSize((int) expected.keySet().stream().filter(k -> k.startsWith("grad_param") && k.endsWith(".sum")).count());
        for (int i = 0; i < params.size(); i++) {
            summary(name + " parameter " + i + " (" + params.get(i).name() + ") gradient", params.get(i).grad().data(),
                    expected, "grad_param" + i);
        }
    }

    static Stream<Arguments> networks() {
        return Stream.of(Arguments.of("lenet5", "lenet5"), Arguments.of("resnet20", "resnet20"),
                Arguments.of("mobilenet-blocks", "mobilenet-blocks"));
    }

    /** The closed form of {@code torch_reference.py}'s fill(), in the same order and double precision. */
    static Tensor fill(int[] shape, int salt, String kind) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            double v = switch (kind) {
                case "weight" -> Math.sin(0.37 * i + 1.3 * salt) / Math.sqrt((double) n / shape[0]);
                case "gamma" -> 1.0 + 0.1 * Math.sin(0.37 * i + 1.3 * salt);
                case "small" -> 0.1 * Math.sin(0.37 * i + 1.3 * salt);
                default -> Math.sin(0.37 * i + 1.3 * salt) + 0.5 * Math.cos(0.11 * i * (salt + 1));
            };
            values[i] = (float) v;
        }
        return new Tensor(values, shape);
    }

    private static void setParameters(List<Parameter> params) {
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            String kind = p.value().rank() > 1 ? "weight" : p.name().equals("gamma") ? "gamma" : "small";
            Tensor values = fill(p.value().shape(), i + 10, kind);
            System.arraycopy(values.data(), 0, p.value().data(), 0, values.size());
            p.zeroGrad();
        }
    }

    private static void summary(String what, float[] actual, Map<String, double[]> expected, String key) {
        double sum = 0;
        double squares = 0;
        for (float v : actual) {
            sum += v;
            squares += (double) v * v;
        }
        double[] picks = expected.get(key + ".picks");
        float[] actualPicks = new float[picks.length];
        for (int i = 0; i < picks.length; i++) {
            actualPicks[i] = actual[(int) ((i * 7919L) % actual.length)];
        }
        double norm = Math.sqrt(squares);
        double scale = Math.max(1e-6, expected.get(key + ".norm")[0]);
        assertThat(Math.abs(sum - expected.get(key + ".sum")[0])).as("%s: sum", what).isLessThanOrEqualTo(1e-3 * scale * Math.sqrt(actual.length) + 1e-6);
        // The same float32 floor as the picks: a gradient that is zero analytically (a batch-norm shift whose
        // next consumer is a convolution into a training batch-norm, as in MobileNet's bottlenecks) is ~1e-17
        // in float64 and rounding noise, ~1e-8, in float32.
        assertThat(norm).as("%s: L2 norm", what).isCloseTo(expected.get(key + ".norm")[0], offset(1e-3 * scale + 1e-7));
        for (int i = 0; i < picks.length; i++) {
            assertThat((double) actualPicks[i]).as("%s: value %d", what, i)
                    .isCloseTo(picks[i], offset(1e-3 * scale + 1e-7));
        }
    }

    private static void close(String what, float[] actual, double[] expected, double tolerance) {
        assertThat(expected).as("%s: reference present", what).isNotNull();
        assertThat(actual).as("%s: count", what).hasSize(expected.length);
        for (int i = 0; i < actual.length; i++) {
            double bound = tolerance * Math.abs(expected[i]) + tolerance * 0.1;
            assertThat((double) actual[i]).as("%s[%d]", what, i)
                    .isCloseTo(expected[i], offset(bound));
        }
    }

    static Map<String, double[]> read(String name) throws IOException {
        Map<String, double[]> values = new HashMap<>();
        for (String line : Files.readAllLines(DIR.resolve(name + ".txt"))) {
            String[] parts = line.split(" ");
            double[] v = new double[Integer.parseInt(parts[1])];
            for (int i = 0; i < v.length; i++) {
                v[i] = Double.parseDouble(parts[i + 2]);
            }
            values.put(parts[0], v);
        }
        return values;
    }
}
