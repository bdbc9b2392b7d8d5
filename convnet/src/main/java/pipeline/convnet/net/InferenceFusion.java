package pipeline.convnet.net;

import java.util.Arrays;
import pipeline.convnet.kernel.Broadcast;
import pipeline.convnet.layer.Activation;
import pipeline.convnet.layer.Arithmetic;
import pipeline.convnet.layer.BatchNorm2d;
import pipeline.convnet.layer.Conv2d;
import pipeline.convnet.layer.Linear;
import pipeline.convnet.layer.Op;

/**
 * Rewrites a network's graph for inference, runs of nodes that are one pass once fused, where the
 * value between them is read by the next node alone:
 * <ul>
 *   <li>convolution → batch-norm: the running statistics folded into the convolution's weights and bias;</li>
 *   <li>convolution (folded or not) → ReLU or ReLU6: applied as the convolution writes its output;</li>
 *   <li>sum → ReLU (a residual block's end): the ReLU applied as the sum is written;</li>
 *   <li>3×3 stride-1 convolution: a copy that also holds its weights transformed for Winograd's
 *   algorithm ({@link Conv2d#forServing});</li>
 *   <li>linear: a copy that also holds its weight transposed ({@link Linear#forServing}).</li>
 * </ul>
 * The fused node keeps the first node's name and writes the last one's value, so the graph's values keep
 * their names. The result computes the same function as the original in inference (up to float rounding
 * of the folded weights) and has no backward pass where it fused. Fused ops are new; ops left as they
 * were (pooling, …) are shared with the original, so fuse a network once its training is done.
 */
final class InferenceFusion {

    private InferenceFusion() {
    }

    static Graph fuse(Graph graph) {
        int[] readers = graph.readers();
        Graph.Node[] readBy = soleReaders(graph, readers);
        boolean[] absorbed = new boolean[graph.nodes().size()];
        int[] fused = new int[graph.values()];
        Arrays.fill(fused, -1);
        Graph.Builder out = new Graph.Builder();
        for (int in : graph.inputs()) {
            fused[in] = out.input(graph.valueName(in));
        }
        for (int n = 0; n < graph.nodes().size(); n++) {
            if (absorbed[n]) {
                continue;
            }
            Graph.Node node = graph.nodes().get(n);
            Op op = node.op();
            int last = node.outputs()[0];
            if (op instanceof Conv2d conv) {
                if (readBy[last] != null && readBy[last].op() instanceof BatchNorm2d bn) {
                    conv = conv.foldedWith(bn);
                    last = absorb(readBy[last], graph, absorbed);
                }
                if (readBy[last] != null && readBy[last].op() instanceof Activation.Relu) {
                    conv = conv.withFusedRelu();
                    last = absorb(readBy[last], graph, absorbed);
                } else if (readBy[last] != null && readBy[last].op() instanceof Activation.Relu6) {
                    conv = conv.withFusedRelu6();
                    last = absorb(readBy[last], graph, absorbed);
                }
                op = conv.forServing();
            } else if (op instanceof Arithmetic sum && sum.operator() == Broadcast.Operator.ADD && readBy[last] != null
                    && readBy[last].op() instanceof Activation.Relu) {
                op = sum.withFusedRelu();
                last = absorb(readBy[last], graph, absorbed);
            } else if (op instanceof Linear linear) {
                op = linear.forServing();
            }
            int[] in = Arrays.stream(node.inputs()).map(v -> fused[v]).toArray();
            int[] outputs = node.outputs().length == 1 ? new int[] {last} : node.outputs();
            int[] written = out.add(node.name(), op, Arrays.stream(outputs).mapToObj(graph::valueName).toList(), in);
            for (int i = 0; i < outputs.length; i++) {
                fused[outputs[i]] = written[i];
            }
        }
        return out.build(Arrays.stream(graph.outputs()).map(v -> fused[v]).toArray());
    }

    /** For each value, the one node that reads it when exactly one does and it is not an output of the graph; else null. */
    private static Graph.Node[] soleReaders(Graph graph, int[] readers) {
        Graph.Node[] readBy = new Graph.Node[graph.values()];
        for (Graph.Node node : graph.nodes()) {
            if (node.inputs().length == 1 && readers[node.inputs()[0]] == 1) {
                readBy[node.inputs()[0]] = node;
            }
        }
        return readBy;
    }

    /** Marks {@code node} as fused into the node before it; returns the value it wrote, now the fused node's. */
    private static int absorb(Graph.Node node, Graph graph, boolean[] absorbed) {
        absorbed[graph.nodes().indexOf(node)] = true;
        return node.outputs()[0];
    }
}
