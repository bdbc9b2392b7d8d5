package pipeline.convnet.net;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import pipeline.convnet.kernel.Pooling;
import pipeline.convnet.layer.Activation;
import pipeline.convnet.layer.Arithmetic;
import pipeline.convnet.layer.AvgPool2d;
import pipeline.convnet.layer.BatchNorm2d;
import pipeline.convnet.layer.Concat;
import pipeline.convnet.layer.Constant;
import pipeline.convnet.layer.Conv2d;
import pipeline.convnet.layer.Dropout;
import pipeline.convnet.layer.Flatten;
import pipeline.convnet.layer.GlobalAvgPool;
import pipeline.convnet.layer.Linear;
import pipeline.convnet.layer.LocalResponseNorm;
import pipeline.convnet.layer.MatMul;
import pipeline.convnet.layer.MaxPool2d;
import pipeline.convnet.layer.Op;
import pipeline.convnet.layer.PRelu;
import pipeline.convnet.layer.Pad;
import pipeline.convnet.layer.ReduceMean;
import pipeline.convnet.layer.Reshape;
import pipeline.convnet.layer.Slice;
import pipeline.convnet.layer.Softmax;
import pipeline.convnet.layer.Transpose;

/**
 * A network's graph written in the spec language ({@link NetworkSpec}), one labelled line per node with
 * its inputs named ({@code layer1.0.conv1: conv 64 kernel=3,3 … from=relu}), so that parsing the text
 * builds the same graph, with the same node names and so the same tensor names: how a model that was
 * not declared as text (an imported one) is stored in a model file. Nodes the output does not depend on
 * are left out; the output's node comes last.
 */
public final class SpecWriter {

    private SpecWriter() {
    }

    /**
     * The text of the graph of a network with input {@code [C, H, W]}.
     *
     * @throws IllegalArgumentException naming a node whose op the spec language has no line for
     */
    public static String write(Graph graph, int[] input) {
        return write(graph, input, graph.outputs()[0]);
    }

    /** The text of the part of the graph that computes value {@code output}, which the last line writes. */
    public static String write(Graph graph, int[] input, int output) {
        StringBuilder text = new StringBuilder("input " + input[0] + " " + input[1] + " " + input[2] + "\n");
        boolean[] needed = needed(graph, output);
        for (int n = 0; n < graph.nodes().size(); n++) {
            if (!needed[n]) {
                continue;
            }
            Graph.Node node = graph.nodes().get(n);
            if (node.outputs().length != 1) {
                throw new IllegalArgumentException(node.label() + " has " + node.outputs().length + " outputs; a spec line has one");
            }
            text.append(node.name()).append(": ").append(line(node.op()));
            if (node.inputs().length > 0) {
                text.append(" from=").append(Arrays.stream(node.inputs()).mapToObj(v -> reference(graph, v))
                        .collect(Collectors.joining(",")));
            }
            text.append('\n');
        }
        return text.toString();
    }

    /** How a line names value {@code v}: "input", or the label of the node that writes it. */
    private static String reference(Graph graph, int v) {
        Graph.Node producer = graph.producer(v);
        return producer == null ? "input" : producer.name();
    }

    /** Which nodes value {@code output} depends on. */
    private static boolean[] needed(Graph graph, int output) {
        boolean[] valueNeeded = new boolean[graph.values()];
        valueNeeded[output] = true;
        boolean[] needed = new boolean[graph.nodes().size()];
        for (int n = graph.nodes().size() - 1; n >= 0; n--) {
            Graph.Node node = graph.nodes().get(n);
            if (Arrays.stream(node.outputs()).anyMatch(v -> valueNeeded[v])) {
                needed[n] = true;
                Arrays.stream(node.inputs()).forEach(v -> valueNeeded[v] = true);
            }
        }
        return needed;
    }

    /** The spec line of an op, without label and inputs. */
    static String line(Op op) {
        return switch (op) {
            case Conv2d c -> "conv " + c.outChannels() + " kernel=" + ints(c.kernel()) + " stride=" + ints(c.stride())
                    + " padding=" + ints(c.padding()) + " dilation=" + ints(c.dilation()) + " groups=" + c.groups()
                    + " bias=" + (c.bias() != null);
            case MaxPool2d p -> "maxpool" + pooling(p.rows(), p.cols(), p.ceil());
            case AvgPool2d p -> "avgpool" + pooling(p.rows(), p.cols(), p.ceil()) + " count-padding=" + p.countPadding();
            case GlobalAvgPool g -> "global-avgpool";
            case BatchNorm2d b -> "batchnorm eps=" + b.eps() + " momentum=" + b.momentum();
            case Linear l -> "linear " + l.outFeatures() + " bias=" + (l.bias() != null);
            case Dropout d -> "dropout " + d.probability();
            case Flatten f -> "flatten";
            case Reshape r -> "reshape " + ints(r.target());
            case Transpose t -> "transpose " + ints(t.perm());
            case Pad p -> "pad " + ints(p.pads()) + " value=" + p.value();
            case Softmax s -> (s.log() ? "log-softmax" : "softmax") + " axis=" + s.axis();
            case ReduceMean r -> "reduce-mean" + (r.axes().length > 0 ? " axes=" + ints(r.axes()) : "") + " keepdims=" + r.keepDims();
            case Slice s -> "slice starts=" + ints(s.starts()) + " ends=" + ints(s.ends()) + " axes=" + ints(s.axes())
                    + " steps=" + ints(s.steps());
            case PRelu p -> "prelu shape=" + ints(p.slope().value().shape());
            case LocalResponseNorm l -> "lrn size=" + l.size() + " alpha=" + l.alpha() + " beta=" + l.beta() + " bias=" + l.bias();
            case Concat c -> "concat axis=" + c.axis();
            case MatMul m -> "matmul";
            case Arithmetic a when !a.fusedRelu() -> a.operator().name().toLowerCase();
            case Constant c -> "const shape=" + ints(c.value().shape());
            case Activation.Relu r -> "relu";
            case Activation.Relu6 r -> "relu6";
            case Activation.LeakyRelu r -> "leaky-relu slope=" + r.slope();
            case Activation.Sigmoid s -> "sigmoid";
            case Activation.Tanh t -> "tanh";
            case Activation.HardSwish h -> "hard-swish";
            case Activation.HardSigmoid h -> "hard-sigmoid alpha=" + h.alpha() + " beta=" + h.beta();
            case Activation.Clip c -> "clip min=" + c.low() + " max=" + c.high();
            default -> throw new IllegalArgumentException(op.describe() + " has no line in the spec language"
                    + " (a network fused for inference is written as declared, before fusing)");
        };
    }

    private static String pooling(Pooling.Slide rows, Pooling.Slide cols, boolean ceil) {
        return " kernel=" + rows.kernel() + "," + cols.kernel() + " stride=" + rows.stride() + "," + cols.stride()
                + " dilation=" + rows.dilation() + "," + cols.dilation() + " padding=" + rows.padBefore() + "," + cols.padBefore()
                + "," + rows.padAfter() + "," + cols.padAfter() + " ceil=" + ceil;
    }

    private static String ints(int[] values) {
        List<String> parts = new ArrayList<>();
        for (int v : values) {
            parts.add(Integer.toString(v));
        }
        return String.join(",", parts);
    }
}
