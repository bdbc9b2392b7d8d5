package pipeline.convnet.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import pipeline.convnet.init.Initializer;
import pipeline.convnet.layer.GradientCheck;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.tensor.Tensor;

/** A graph written as spec text parses back into the same graph: same nodes, same tensors, same outputs. */
class SpecWriterTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lenet5", "vgg-small", "resnet20", "mobilenetv2", "every kind of node"})
    void writtenThenParsedIsTheSameNetwork(String which) {
        Network network = which.equals("every kind of node") ? NetworkSpec.parse(EVERY_NODE, 1) : NetworkSpec.builtIn(which, 1);
        new Initializer(Initializer.Scheme.HE, 4).initialise(network.graph());
        network.forward(GradientCheck.input(2, network.batchShape(4)), Mode.TRAIN);

        String text = SpecWriter.write(network.graph(), network.input());
        Network again = NetworkSpec.parse(text, 1);
        List<Network.NamedTensor> state = network.state();
        List<Network.NamedTensor> parsed = again.state();
        assertThat(parsed).hasSameSizeAs(state);
        for (int i = 0; i < state.size(); i++) {
            assertThat(parsed.get(i).name()).isEqualTo(state.get(i).name());
            assertThat(parsed.get(i).shape()).isEqualTo(state.get(i).shape());
            System.arraycopy(state.get(i).values(), 0, parsed.get(i).values(), 0, state.get(i).values().length);
        }

        Tensor images = GradientCheck.input(5, network.batchShape(3));
        assertThat(again.forward(images, Mode.INFER).data()).containsExactly(network.forward(images, Mode.INFER).data());
        assertThat(SpecWriter.write(again.graph(), again.input())).as("written again").isEqualTo(text);
    }

    @Test
    void aFusedNetworkIsNotWritten() {
        Network fused = NetworkSpec.builtIn("resnet20", 1).fusedForInference();

        assertThatThrownBy(() -> SpecWriter.write(fused.graph(), fused.input()))
                .hasMessageContaining("has no line in the spec language");
    }

    static final String EVERY_NODE = """
            input 3 8 8
            pad 0,0,1,1,0,0,1,1 value=0.5
            conv 4 kernel=3,2 stride=1,2 padding=1,0 dilation=2,1 bias=false
            batchnorm eps=0.001 momentum=0.2
            stem: relu
            scale: const shape=1,4,1,1 value=0.5
            mul from=stem,scale
            hard-swish
            a: clip min=-1 max=1
            transpose 0,1,3,2 from=stem
            transpose 0,1,3,2
            leaky-relu slope=0.2
            b: hard-sigmoid
            c: sub from=a,b
            d: div from=c,scale
            relu6
            maxpool kernel=3 stride=2 padding=1 ceil=true
            e: avgpool kernel=2 count-padding=false
            sigmoid
            prelu shape=4,1,1
            lrn size=3 alpha=0.001 beta=0.75 bias=2
            tanh
            g: slice starts=0,1 ends=4,100 axes=1,3 steps=1,1
            f: concat from=g,g axis=1
            reduce-mean axes=3 keepdims=true
            reshape 0,8,-1
            rows: softmax axis=-1
            weights: const shape=2,3 value=0.25
            matmul from=rows,weights
            flatten
            dropout 0.25
            linear 5
            log-softmax
            """;
}
