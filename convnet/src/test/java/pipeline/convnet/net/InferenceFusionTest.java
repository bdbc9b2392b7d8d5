package pipeline.convnet.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pipeline.convnet.layer.Activation;
import pipeline.convnet.layer.BatchNorm2d;
import pipeline.convnet.init.Initializer;
import pipeline.convnet.layer.Arithmetic;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.layer.Op;
import pipeline.convnet.tensor.Tensor;

/** A network fused for inference computes what it computed before, in fewer layers, and refuses backward. */
class InferenceFusionTest {

    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "vgg-small", "resnet20"})
    void fusedNetworkGivesTheSameLogits(String architecture) {
        assertFusedGivesTheSameLogits(NetworkSpec.builtIn(architecture, 11));
    }

    @Test
    void mobileNetBlocksFuseReluSixIntoTheirConvolutions() throws IOException {
        Network network = NetworkSpec.parse(Files.readString(Path.of("src/test/resources/specs/mobilenet-blocks.net")), 11);

        assertFusedGivesTheSameLogits(network);
        assertThat(ops(network.fusedForInference())).noneMatch(op -> op instanceof Activation.Relu6);
    }

    private static void assertFusedGivesTheSameLogits(Network network) {
        new Initializer(Initializer.Scheme.HE, 11).initialise(network.graph());
        giveBatchNormRealStatistics(network);
        Tensor images = RandomImages.gaussian(6, 4);

        float[] expected = network.forward(images, Mode.INFER).data();
        Network fused = network.fusedForInference();
        float[] actual = fused.forward(images, Mode.INFER).data();

        double largest = 0;
        for (float v : expected) {
            largest = Math.max(largest, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("logit %d", i).isCloseTo(expected[i], within(1e-4 * largest + 1e-6));
        }
        assertThat(fused.forwardWithEmbeddings(images, Mode.INFER).embeddings().data())
                .containsExactly(network.forwardWithEmbeddings(images, Mode.INFER).embeddings().data(), offset(1e-4f));
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet20", "vgg-small"})
    void batchNormAndReluAreGoneAndBackwardIsRefused(String architecture) {
        Network fused = NetworkSpec.builtIn(architecture, 11).fusedForInference();

        assertThat(ops(fused)).noneMatch(op -> op instanceof BatchNorm2d)
                .noneMatch(op -> op instanceof Activation.Relu && architecture.equals("resnet20"));
        if (architecture.equals("resnet20")) {
            assertThat(ops(fused)).filteredOn(op -> op instanceof Arithmetic).hasSize(9)
                    .allMatch(op -> ((Arithmetic) op).fusedRelu(), "every block's sum has its ReLU fused");
        }
        Tensor logits = fused.forward(RandomImages.gaussian(2, 1), Mode.INFER);
        assertThatThrownBy(() -> fused.backward(logits))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("fused for inference");
    }

    /** Running statistics and affine parameters away from their initial 0/1, so folding has something to fold. */
    private static void giveBatchNormRealStatistics(Network network) {
        SplittableRandom random = new SplittableRandom(3);
        for (int step = 0; step < 3; step++) {
            network.forward(RandomImages.gaussian(8, 10 + step), Mode.TRAIN);
        }
        for (Op op : ops(network)) {
            if (op instanceof BatchNorm2d bn) {
                float[] gamma = bn.gamma().value().data();
                float[] beta = bn.beta().value().data();
                for (int c = 0; c < gamma.length; c++) {
                    gamma[c] = (float) (0.5 + random.nextDouble());
                    beta[c] = (float) (random.nextDouble() - 0.5);
                }
            }
        }
    }

    private static List<Op> ops(Network network) {
        return network.graph().nodes().stream().map(Graph.Node::op).toList();
    }
}
