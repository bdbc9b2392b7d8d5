package pipeline.convnet.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import pipeline.convnet.init.Initializer;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.layer.Parameter;
import pipeline.convnet.net.Network;
import pipeline.convnet.net.NetworkSpec;
import pipeline.convnet.tensor.Tensor;

class TransferLearningTest {

    static Network trained() {
        Network network = NetworkSpec.parse("""
                input 1 12 12
                conv 4 kernel=3
                batchnorm
                relu
                flatten
                features: linear 16
                relu
                linear 10   # the head
                """, 1);
        new Initializer(Initializer.Scheme.HE, 3).initialise(network.graph());
        return network;
    }

    @Test
    void aNewHeadHasTheNewClassesAndTheBodyKeepsItsState() {
        Network old = trained();

        Network next = TransferLearning.withNewHead(old, 3, 7);

        assertThat(next.classes()).isEqualTo(3);
        List<Network.NamedTensor> before = old.state();
        List<Network.NamedTensor> after = next.state();
        assertThat(after).hasSameSizeAs(before);
        for (int t = 0; t < before.size() - 2; t++) {
            assertThat(after.get(t).values()).as(before.get(t).name()).containsExactly(before.get(t).values());
        }
        assertThat(after.getLast().shape()).containsExactly(3);
        assertThat(next.spec()).contains("linear 3   # the head");
    }

    @Test
    void aGrownHeadPredictsTheOldClassesAsBeforeAndHasRoomForTheNewOne() {
        Network old = trained();
        Tensor images = filled(0.5f, old.batchShape(2));
        images.data()[7] = 2f;

        Network grown = TransferLearning.withGrownHead(old, 1, 7);

        float[] before = old.forward(images, Mode.INFER).data();
        float[] after = grown.forward(images, Mode.INFER).data();
        assertThat(grown.classes()).isEqualTo(11);
        for (int i = 0; i < 2; i++) {
            assertThat(Arrays.copyOfRange(after, i * 11, i * 11 + 10)).containsExactly(Arrays.copyOfRange(before, i * 10, i * 10 + 10),
                    within(1e-5f));
        }
    }

    @Test
    void frozenLayersNeitherTrainNorMoveTheirBatchNormStatistics() {
        Network network = trained();
        TransferLearning.freezeUpTo(network, TransferLearning.BODY);
        float[] statistics = network.state().stream().filter(t -> t.name().endsWith("runningMean")).findFirst().orElseThrow()
                .values().clone();

        List<Parameter> trainable = network.graph().trainableParameters();
        network.forward(filled(1f, network.batchShape(4)), Mode.TRAIN);
        network.backward(filled(0.1f, 4, 10));

        assertThat(trainable).as("the head's weight and bias").hasSize(2);
        assertThat(network.state().stream().filter(t -> t.name().endsWith("runningMean")).findFirst().orElseThrow().values())
                .containsExactly(statistics);
        TransferLearning.freezeUpTo(network, "features");
        assertThat(network.graph().trainableParameters()).hasSize(2);
        TransferLearning.freezeUpTo(network, TransferLearning.NONE);
        assertThat(network.graph().trainableParameters()).hasSize(network.parameters().size());
        assertThatThrownBy(() -> TransferLearning.freezeUpTo(network, "stem")).hasMessageContaining("no node 'stem'")
                .hasMessageContaining("features");
    }

    private static Tensor filled(float value, int... shape) {
        Tensor t = Tensor.zeros(shape);
        Arrays.fill(t.data(), value);
        return t;
    }

    @Test
    void aHeadThatIsNotALinearLayerIsNamed() {
        Network pooled = NetworkSpec.parse("""
                input 1 8 8
                conv 10 kernel=3
                global-avgpool
                """, 1);

        assertThatThrownBy(() -> TransferLearning.withNewHead(pooled, 3, 1)).hasMessageContaining("a new head replaces a linear layer");
    }
}
