package pipeline.convnet.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import pipeline.convnet.init.Initializer;
import pipeline.convnet.kernel.Pooling;
import pipeline.convnet.layer.AvgPool2d;
import pipeline.convnet.layer.Conv2d;
import pipeline.convnet.layer.Linear;
import pipeline.convnet.layer.MaxPool2d;
import pipeline.convnet.layer.Op;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.tensor.Tensor;

class NetworkSpecTest {

    @Test
    void lenet5HasTheClassicShapeAndParameterCount() {
        Network lenet = NetworkSpec.builtIn("lenet5", 1);

        assertThat(parameterCount(lenet)).isEqualTo(61_706);
        assertThat(lenet.classes()).isEqualTo(10);
    }

    @Test
    void aSpecsOperatorsAreCountedWithRepeatsUnrolledAndLabelsSkipped() {
        assertThat(NetworkSpec.operators(NetworkSpec.builtIn("lenet5", 1).spec()))
                .containsExactly(entry("conv", 2), entry("flatten", 1), entry("linear", 3), entry("maxpool", 2), entry("relu", 4));
        assertThat(NetworkSpec.operators("""
                input 3 8 8
                repeat 3
                  conv 4 kernel=3 padding=1
                  stem: relu
                end
                both: add from=stem,stem   # a comment
                """)).containsExactly(entry("add", 1), entry("conv", 3), entry("relu", 3));
    }

    @Test
    void resnet20HasTwentyWeightedLayersAndEndsAtSevenBySeven() {
        Network resnet = NetworkSpec.builtIn("resnet20", 1);

        // 1 stem + 9 blocks × 2 convolutions + 1 linear = 20 (plus 2 projection shortcuts).
        long weighted = resnet.graph().nodes().stream().filter(n -> n.op() instanceof Conv2d || n.op() instanceof Linear)
                .filter(n -> !n.name().contains("shortcut")).count();
        assertThat(weighted).isEqualTo(20);
        assertThat(parameterCount(resnet)).isBetween(270_000, 275_000);
        assertThat(resnet.classes()).isEqualTo(10);
    }

    @Test
    void resnet18HasTorchvisionsParameterCountAndShapes() {
        Network resnet = initialised("resnet18");

        Network.Output out = resnet.forwardWithEmbeddings(Tensor.zeros(resnet.batchShape(1)), Mode.INFER);

        // torchvision.models.resnet18(): 11,689,512 parameters; batch-norm running statistics are not parameters.
        assertThat(parameterCount(resnet)).isEqualTo(11_689_512);
        assertThat(resnet.input()).containsExactly(3, 224, 224);
        assertThat(out.logits().shape()).containsExactly(1, 1000);
        assertThat(out.embeddings().shape()).containsExactly(1, 512);
    }

    @Test
    void mobilenetv2HasTorchvisionsParameterCountAndRunsForwardAndBackward() {
        Network mobilenet = initialised("mobilenetv2");

        Tensor logits = mobilenet.forward(Tensor.zeros(mobilenet.batchShape(1)), Mode.TRAIN);
        Tensor gradIn = mobilenet.backward(Tensor.zeros(logits.shape()));

        // torchvision.models.mobilenet_v2(): 3,504,872 parameters.
        assertThat(parameterCount(mobilenet)).isEqualTo(3_504_872);
        assertThat(logits.shape()).containsExactly(1, 1000);
        assertThat(gradIn.shape()).containsExactly(1, 3, 224, 224);
    }

    @Test
    void theVggStyleNetFollowsThePatternAndRunsForwardAndBackward() {
        Network vgg = initialised("vgg-small");

        Tensor logits = vgg.forward(Tensor.zeros(vgg.batchShape(2)), Mode.TRAIN);
        Tensor gradIn = vgg.backward(Tensor.zeros(logits.shape()));

        // 4 convolutions (3×3, 32-32-64-64) + 2 linear layers; 64·7·7 features enter the first linear layer.
        assertThat(logits.shape()).containsExactly(2, 10);
        assertThat(gradIn.shape()).containsExactly(2, 1, 28, 28);
        assertThat(parameterCount(vgg)).isEqualTo((9 * 32 + 32) + (9 * 32 * 32 + 32) + (9 * 32 * 64 + 64) + (9 * 64 * 64 + 64)
                + 2 * (32 + 32 + 64 + 64) + (64 * 49 * 256 + 256) + (256 * 10 + 10));
    }

    @Test
    void theLecturePatternIsDeclaredWithNestedRepeats() {
        Network net = NetworkSpec.parse("""
                input 3 32 32
                repeat 2            # M = 2
                  repeat 2          # N = 2
                    conv 8 kernel=3 padding=1
                    relu
                  end
                  maxpool kernel=2
                end
                flatten
                repeat 2            # K = 2
                  linear 32
                  relu
                end
                linear 5
                """, 1);

        assertThat(net.graph().nodes()).hasSize(2 * (2 * 2 + 1) + 1 + 2 * 2 + 1);
        assertThat(net.classes()).isEqualTo(5);
    }

    @Test
    void embeddingsComeFromTheSameForwardPassAndHaveUnitLength() {
        Network lenet = NetworkSpec.builtIn("lenet5", 1);
        new Initializer(Initializer.Scheme.HE, 1).initialise(lenet.graph());
        Tensor images = Tensor.zeros(3, 1, 28, 28);
        for (int i = 0; i < images.size(); i++) {
            images.data()[i] = (float) Math.sin(i * 0.37);
        }

        Network.Output output = lenet.forwardWithEmbeddings(images, Mode.INFER);

        assertThat(output.logits().shape()).containsExactly(3, 10);
        assertThat(output.embeddings().shape()).containsExactly(3, 84);
        assertThat(output.logits().data()).containsExactly(lenet.forward(images, Mode.INFER).data());
        for (int i = 0; i < 3; i++) {
            double norm = 0;
            for (int j = 0; j < 84; j++) {
                norm += Math.pow(output.embeddings().get(i, j), 2);
            }
            assertThat(norm).isCloseTo(1.0, within(1e-5));
        }
    }

    @Test
    void poolingLinesTakeRectangularWindowsDilationAsymmetricPaddingCeilModeAndCountPadding() {
        Network net = NetworkSpec.parse("""
                input 2 9 8
                maxpool kernel=3,2 stride=2,1 dilation=2,1 padding=1,0,0,1 ceil=true
                avgpool kernel=2 padding=1 ceil=true count-padding=false
                """, 1);
        List<Op> layers = net.graph().nodes().stream().map(Graph.Node::op).toList();
        MaxPool2d max = (MaxPool2d) layers.get(0);
        assertThat(max.rows()).isEqualTo(new Pooling.Slide(3, 2, 2, 1, 0));
        assertThat(max.cols()).isEqualTo(new Pooling.Slide(2, 1, 1, 0, 1));
        assertThat(max.ceil()).isTrue();
        AvgPool2d avg = (AvgPool2d) layers.get(1);
        assertThat(avg.rows()).isEqualTo(Pooling.Slide.of(2, 2, 1));
        assertThat(avg.countPadding()).isFalse();
        // rows: ⌈(9 + 1 − 5) / 2⌉ + 1 = 4, columns: (8 + 1 − 2) / 1 + 1 = 8; then ⌈(4 + 2 − 2) / 2⌉ + 1 = 3, 5.
        assertThat(net.graph().shapes(net.batchShape(1))[net.logitsValue()]).containsExactly(1, 2, 3, 5);

        assertThatThrownBy(() -> NetworkSpec.parse("input 1 8 8\nmaxpool kernel=2 padding=1,2,3", 1))
                .hasMessageContaining("line 2").hasMessageContaining("padding takes 1 or 2 or 4 values, got 3");
        assertThatThrownBy(() -> NetworkSpec.parse("input 1 8 8\nmaxpool kernel=2,x", 1))
                .hasMessageContaining("kernel must be whole numbers separated by commas, got '2,x'");
    }

    /** The lectures' architectures at their real input size, counted as their papers count them. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"alexnet, 60965224, 9216", "vgg16, 138357544, 25088"})
    void theLecturesArchitecturesHaveTheirPapersParameterCounts(String builtIn, long parameters, int flattened) {
        Network network = NetworkSpec.builtIn(builtIn, 1);

        assertThat(network.parameters().stream().mapToLong(p -> p.value().size()).sum()).isEqualTo(parameters);
        assertThat(network.input()).containsExactly(3, 224, 224);
        assertThat(network.classes()).isEqualTo(1000);
        int[][] shapes = network.graph().shapes(network.batchShape(1));
        assertThat(java.util.Arrays.stream(shapes).anyMatch(s -> s.length == 2 && s[1] == flattened))
                .as("the feature maps flatten to %d", flattened).isTrue();
    }

    @Test
    void mistakesNameTheLine() {
        assertThatThrownBy(() -> NetworkSpec.parse("conv 6 kernel=5", 1)).hasMessageContaining("starts with 'input C H W'");
        assertThatThrownBy(() -> NetworkSpec.parse("input 1 28 28\nconv 6", 1)).hasMessageContaining("line 2").hasMessageContaining("kernel=K");
        assertThatThrownBy(() -> NetworkSpec.parse("input 1 28 28\nlinear 10", 1))
                .hasMessageContaining("line 2 (linear 10)").hasMessageContaining("put 'flatten'");
        assertThatThrownBy(() -> NetworkSpec.parse("input 1 28 28\nconvolution 6", 1)).hasMessageContaining("unknown layer 'convolution'");
        assertThatThrownBy(() -> NetworkSpec.parse("input 1 28 28\nrepeat 2\nrelu", 1)).hasMessageContaining("no matching 'end'");
        assertThatThrownBy(() -> NetworkSpec.parse("input 1 4 4\nconv 2 kernel=7", 1)).hasMessageContaining("smaller than the kernel's span 7");
        assertThatThrownBy(() -> NetworkSpec.parse("input 3 32 32\ninverted-residual 16 stride=3", 1))
                .hasMessageContaining("line 2").hasMessageContaining("stride must be 1 or 2, got 3");
        assertThatThrownBy(() -> NetworkSpec.parse("input 3 32 32\ninverted-residual 16 expand=0", 1))
                .hasMessageContaining("expand must be 1 or more, got 0");
        assertThatThrownBy(() -> NetworkSpec.builtIn("resnet50", 1)).hasMessageContaining("resnet18").hasMessageContaining("mobilenetv2");
    }

    /**
     * The weights a seed gives each built-in network, as SHA-256 over the state in order (names, shapes and
     * float bits): recorded when networks were chains of layers, so declaring them as graphs changed nothing.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "lenet5,      8fd3410b92989122b780493db3c27752ea6b1c1f4577f48462ca5b014110975d",
        "vgg-small,   5d9260ead14ef52af0996c0eea55e85554ca095bf9a30545d3cdc3afda121bd7",
        "resnet20,    a26a0576180ca708a5a599c4d4e7353860735b13c344a8907300948798fb8d1a",
        "resnet18,    f198648ff4fe5a2b1db8d117036ef5333cfac79958a131e2d3b2dea75b4ff28a",
        "mobilenetv2, ce4d691abb886a5480ca778256de8eb80867ea3f6f8d6a1ba053b7a24ddd7777"})
    void theSameSeedGivesTheSameWeightsAsBefore(String builtIn, String digest) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (Network.NamedTensor t : initialised(builtIn).state()) {
            sha.update(t.name().getBytes(StandardCharsets.UTF_8));
            ByteBuffer bytes = ByteBuffer.allocate(4 * (t.shape().length + t.values().length));
            Arrays.stream(t.shape()).forEach(bytes::putInt);
            for (float v : t.values()) {
                bytes.putInt(Float.floatToRawIntBits(v));
            }
            sha.update(bytes.array());
        }
        assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo(digest);
    }

    private static Network initialised(String builtIn) {
        Network network = NetworkSpec.builtIn(builtIn, 1);
        new Initializer(Initializer.Scheme.HE, 1).initialise(network.graph());
        return network;
    }

    private static int parameterCount(Network network) {
        return network.parameters().stream().mapToInt(p -> p.value().size()).sum();
    }
}
