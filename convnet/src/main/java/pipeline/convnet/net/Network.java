package pipeline.convnet.net;

import java.util.ArrayList;
import java.util.List;
import pipeline.convnet.layer.BatchNorm2d;
import pipeline.convnet.layer.Constant;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.layer.Parameter;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * A classifier: a {@link Graph} from one input, images of shape {@code [N, C, H, W]}, to one output,
 * logits {@code [N, classes]}. The node that writes the logits is the classifier head; what it reads is
 * the image's embedding.
 *
 * @param spec  the text it was declared in (see {@link NetworkSpec})
 * @param input {@code [C, H, W]} of one image
 */
public record Network(String spec, int[] input, Graph graph) {

    /** Logits and the L2-normalised embeddings, from one forward pass. */
    public record Output(Tensor logits, Tensor embeddings) {}

    public Network {
        input = input.clone();
        if (graph.inputs().length != 1 || graph.outputs().length != 1) {
            throw new IllegalArgumentException("a classifier takes one input and gives one output; this graph has "
                    + graph.inputs().length + " inputs and " + graph.outputs().length + " outputs");
        }
        if (graph.producer(graph.outputs()[0]) == null) {
            throw new IllegalArgumentException("a network needs at least one layer");
        }
    }

    public int classes() {
        int[] logits = graph.shapes(batchShape(1))[logitsValue()];
        if (logits.length != 2) {
            throw new IllegalArgumentException("a classifier's output is logits [N, classes], but this network gives "
                    + Shapes.toString(logits));
        }
        return logits[1];
    }

    public List<Parameter> parameters() {
        return graph.parameters();
    }

    /** The value of the graph that holds the logits. */
    public int logitsValue() {
        return graph.outputs()[0];
    }

    /** The value of the graph that holds the embedding: what the head (the node writing the logits) reads. */
    public int embeddingValue() {
        return graph.producer(logitsValue()).inputs()[0];
    }

    /**
     * This network rewritten for serving: batch-norm folded into the convolutions before it, ReLU fused
     * into the convolution or sum before it (see {@link InferenceFusion}). Same function in inference,
     * fewer passes over memory, and no backward pass where fused. Unfused layers are shared with this
     * network: fuse once training is done.
     */
    public Network fusedForInference() {
        return new Network(spec, input, InferenceFusion.fuse(graph));
    }

    public Tensor forward(Tensor images, Mode mode) {
        checkInput(images);
        return graph.forward(mode, images)[logitsValue()];
    }

    /** Logits {@code [N, K]} and embeddings {@code [N, F]}, the head's input, each row scaled to unit length. */
    public Output forwardWithEmbeddings(Tensor images, Mode mode) {
        checkInput(images);
        Tensor[] values = graph.forward(mode, images);
        return new Output(values[logitsValue()], l2Normalised(values[embeddingValue()]));
    }

    /** A tensor the network's state is made of, named by its node: {@code layer3.weight}, {@code layer5.main.layer1.runningVar}. */
    public record NamedTensor(String name, int[] shape, float[] values) {}

    /**
     * Everything a trained network holds, node by node: every parameter, the running statistics of
     * every batch-norm layer, and every constant's value. Writing into the arrays changes the network.
     */
    public List<NamedTensor> state() {
        return state(graph);
    }

    /** {@link #state()} of any graph: its nodes' parameters, batch-norm statistics and constants, node by node. */
    public static List<NamedTensor> state(Graph graph) {
        List<NamedTensor> state = new ArrayList<>();
        for (Graph.Node node : graph.nodes()) {
            String prefix = node.name() + ".";
            for (Parameter p : node.op().parameters()) {
                state.add(new NamedTensor(prefix + p.name(), p.value().shape(), p.value().data()));
            }
            if (node.op() instanceof Constant constant) {
                state.add(new NamedTensor(prefix + "value", constant.value().shape(), constant.value().data()));
            }
            if (node.op() instanceof BatchNorm2d bn) {
                state.add(new NamedTensor(prefix + "runningMean", new int[] {bn.runningMean().length}, bn.runningMean()));
                state.add(new NamedTensor(prefix + "runningVar", new int[] {bn.runningVar().length}, bn.runningVar()));
            }
        }
        return state;
    }

    /** Backward from the loss gradient with respect to the logits; returns the gradient with respect to the images. */
    public Tensor backward(Tensor gradLogits) {
        return graph.backward(logitsValue(), gradLogits)[0];
    }

    public int[] batchShape(int n) {
        return new int[] {n, input[0], input[1], input[2]};
    }

    void checkInput(Tensor images) {
        Shapes.require("network input", images, -1, input[0], input[1], input[2]);
    }

    /** Each row of {@code features [N, …]} scaled to unit length (zero rows stay zero), in a new {@code [N, F]}. */
    static Tensor l2Normalised(Tensor features) {
        int n = features.dim(0);
        int f = features.size() / n;
        Tensor out = Tensor.zeros(n, f);
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int j = 0; j < f; j++) {
                float v = features.data()[i * f + j];
                sum += v * v;
            }
            float scale = sum == 0 ? 0f : (float) (1 / Math.sqrt(sum));
            for (int j = 0; j < f; j++) {
                out.data()[i * f + j] = features.data()[i * f + j] * scale;
            }
        }
        return out;
    }
}
