package pipeline.convnet.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pipeline.convnet.init.Initializer;
import pipeline.convnet.kernel.Broadcast;
import pipeline.convnet.layer.Activation;
import pipeline.convnet.layer.Arithmetic;
import pipeline.convnet.layer.BatchNorm2d;
import pipeline.convnet.layer.GradientCheck;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.layer.Op;
import pipeline.convnet.layer.Parameter;
import pipeline.convnet.tensor.Tensor;

/** Networks as graphs: branches declared by name, gradients through fan-out, concatenation and broadcasting. */
class GraphTest {

    /** Two branches from one value, joined by concatenation, scaled by a broadcast gate, and added back (fan-out twice). */
    static final String BRANCHES = """
            input 2 5 5
            conv 4 kernel=3 padding=1
            stem: tanh
            conv 3 kernel=1 from=stem
            a: tanh
            conv 3 kernel=3 padding=1 from=stem
            b: sigmoid
            both: concat from=a,b          # [N, 6, 5, 5]
            conv 1 kernel=1 from=stem
            gate: sigmoid                  # [N, 1, 5, 5]
            scaled: mul from=both,gate     # the gate broadcast over the channels
            add from=scaled,both
            flatten
            linear 3
            """;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"branches", "residual blocks"})
    void backwardThroughTheGraphMatchesFiniteDifferences(String which) {
        // Residual blocks as the residual line builds them, with tanh for ReLU: no kink for a finite-difference step to cross.
        String spec = which.equals("branches") ? BRANCHES : """
                input 2 6 6
                conv 4 kernel=3 padding=1
                x: tanh
                conv 4 kernel=3 padding=1 bias=false
                batchnorm
                tanh
                conv 4 kernel=3 padding=1 bias=false
                main: batchnorm
                add from=main,x                # identity shortcut
                y: tanh
                conv 6 kernel=3 stride=2 padding=1 bias=false
                main2: batchnorm
                conv 6 kernel=1 stride=2 bias=false from=y
                projected: batchnorm
                add from=main2,projected       # projection shortcut
                tanh
                global-avgpool
                linear 3
                """;
        Network network = NetworkSpec.parse(spec, 1);
        GradientCheck.randomise(network.parameters(), 7);
        GradientCheck.check(new Whole(network), List.of(GradientCheck.input(3, network.batchShape(2))), Mode.TRAIN);
    }

    /** Every kind of node the spec language declares, served from the inference plan as the graph computes it. */
    @Test
    void aGraphOfEveryKindOfNodeServesWhatItComputes() {
        Network network = NetworkSpec.parse("""
                input 3 8 8
                pad 0,0,1,1,0,0,1,1 value=0.5
                conv 4 kernel=3
                batchnorm
                stem: relu
                scale: const shape=1,4,1,1 value=0.5
                mul from=stem,scale
                hard-swish
                a: clip min=-1 max=1
                transpose 0,1,3,2 from=stem
                b: hard-sigmoid
                c: sub from=a,b
                d: div from=c,scale
                maxpool kernel=3 stride=2 padding=1 ceil=true
                e: avgpool kernel=2 count-padding=false
                reshape 0,4,-1
                rows: softmax axis=-1
                weights: const shape=4,3 value=0.25
                matmul from=rows,weights      # [N, 4, 3]
                flatten
                log-softmax
                """, 1);
        new Initializer(Initializer.Scheme.HE, 3).initialise(network.graph());
        Tensor images = GradientCheck.input(9, network.batchShape(3));

        Tensor expected = network.forward(images, Mode.INFER);
        Tensor served = ServingNetwork.of(network).logits(images);

        assertThat(served.shape()).containsExactly(3, 12);
        assertThat(served.data()).containsExactly(expected.data(), offset(1e-5f));
    }

    @Test
    void namedBranchesBuildTheGraphTheSpecDeclares() {
        Network network = NetworkSpec.parse(BRANCHES, 1);
        Graph graph = network.graph();

        Graph.Node concat = graph.producer(graph.nodes().stream().filter(n -> n.op().describe().startsWith("concat"))
                .findFirst().orElseThrow().outputs()[0]);
        assertThat(concat.inputs()).hasSize(2);
        assertThat(graph.readers()[concat.outputs()[0]]).as("the concatenation feeds the product and the sum").isEqualTo(2);
        assertThat(network.forward(Tensor.zeros(network.batchShape(3)), Mode.INFER).shape()).containsExactly(3, 3);
        assertThat(network.classes()).isEqualTo(3);
    }

    @Test
    void aResidualLineIsASumNodeWithTheBlocksNames() {
        Graph graph = NetworkSpec.parse("input 4 6 6\nresidual 8 stride=2", 1).graph();

        assertThat(graph.nodes().stream().map(Graph.Node::name)).containsExactly(
                "layer1.main.layer1", "layer1.main.layer2", "layer1.main.layer3", "layer1.main.layer4", "layer1.main.layer5",
                "layer1.shortcut.layer1", "layer1.shortcut.layer2", "layer1", "layer2");
        Graph.Node sum = graph.nodes().get(7);
        assertThat(sum.op()).isInstanceOf(Arithmetic.class);
        assertThat(graph.producer(sum.inputs()[0]).op()).isInstanceOf(BatchNorm2d.class);
        assertThat(graph.producer(sum.inputs()[1]).name()).isEqualTo("layer1.shortcut.layer2");
        assertThat(graph.nodes().get(8).op()).isInstanceOf(Activation.Relu.class);
    }

    @Test
    void aLabelNamesTheNodeAndItsTensorsAndIsMadeUniqueWhenReused() {
        Network network = NetworkSpec.parse("""
                input 1 8 8
                stem: conv 4 kernel=3 padding=1
                repeat 2
                  block: residual 4
                end
                flatten
                linear 2
                """, 1);

        assertThat(network.state().stream().map(Network.NamedTensor::name)).contains("stem.weight", "stem.bias",
                "block.main.layer1.weight", "block_2.main.layer5.runningVar", "layer7.weight");
        assertThat(network.graph().nodes().stream().map(Graph.Node::name)).contains("block", "block.relu", "block_2",
                "block_2.relu", "layer6");
        assertThatThrownBy(() -> NetworkSpec.parse("input 1 8 8\ninput: relu", 1)).hasMessageContaining("'input' cannot name a line");
    }

    @Test
    void mistakesInBranchesNameTheLine() {
        assertThatThrownBy(() -> NetworkSpec.parse("input 1 4 4\nconv 2 kernel=1\nrelu from=stem", 1))
                .hasMessageContaining("line 3 (relu from=stem)").hasMessageContaining("no line before this one is named 'stem'");
        assertThatThrownBy(() -> NetworkSpec.parse("input 1 4 4\nadd", 1))
                .hasMessageContaining("line 2").hasMessageContaining("add takes two inputs, from=A,B; got 1");
        assertThatThrownBy(() -> NetworkSpec.parse("input 1 4 4\na: conv 2 kernel=1\nb: conv 3 kernel=3 from=input\nconcat from=a,b", 1))
                .hasMessageContaining("line 4").hasMessageContaining("differ on an axis other than 1");
        assertThatThrownBy(() -> NetworkSpec.parse("input 1 4 4\na: conv 2 kernel=1\nb: conv 3 kernel=1 from=input\nadd from=a,b", 1))
                .hasMessageContaining("cannot broadcast [1, 2, 4, 4] with [1, 3, 4, 4]");
        assertThatThrownBy(() -> NetworkSpec.parse("input 1 4 4\nconv 2 kernel=1 from=input,input", 1))
                .hasMessageContaining("conv takes one input; from= names 2");
    }

    @Test
    void aGraphRefusesAnOpUsedTwiceAndTheWrongNumberOfInputs() {
        Graph.Builder builder = new Graph.Builder();
        int x = builder.input("x");
        Op relu = new Activation.Relu();
        builder.add("first", relu, x);
        assertThatThrownBy(() -> builder.add("second", relu, x)).hasMessageContaining("reuses the op of another node");
        assertThatThrownBy(() -> builder.add("sum", new Arithmetic(Broadcast.Operator.ADD), x))
                .hasMessageContaining("node sum (add) takes 2 inputs but was given 1");
        assertThatThrownBy(() -> builder.add("first", new Activation.Tanh(), x)).hasMessageContaining("two nodes are named first");
    }

    /** A whole network as one op, so the gradient check can hold it to finite differences. */
    private record Whole(Network network) implements Op {
        @Override
        public String describe() {
            return "network";
        }

        @Override
        public List<int[]> outputShapes(List<int[]> inputShapes) {
            return List.of(network.graph().shapes(inputShapes.getFirst())[network.logitsValue()]);
        }

        @Override
        public List<Tensor> forward(List<Tensor> inputs, Mode mode) {
            return List.of(network.forward(inputs.getFirst(), mode));
        }

        @Override
        public List<Tensor> backward(List<Tensor> gradOutputs) {
            return List.of(network.backward(gradOutputs.getFirst()));
        }

        @Override
        public void infer(List<Tensor> inputs, List<Tensor> outputs) {
            throw new UnsupportedOperationException("a gradient check needs no inference");
        }

        @Override
        public List<Parameter> parameters() {
            return network.parameters();
        }
    }
}
