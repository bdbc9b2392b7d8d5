package pipeline.convnet.net;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import pipeline.convnet.kernel.Elementwise;
import pipeline.convnet.kernel.Parallelism;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.layer.Op;
import pipeline.convnet.layer.Parameter;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * A network as a directed acyclic graph of named values (tensors) and nodes, each an {@link Op} reading
 * some values and writing others. Values are numbered: the graph's inputs first, then each node's
 * outputs in the order nodes were added, and a node may read only values that exist when it is added,
 * so that order is topological. Forward runs the nodes in it; backward runs them in reverse and sums the
 * gradients of a value several nodes read (fan-out: a residual block's input, a branch point).
 *
 * <p>A graph holds no shapes: they follow from its inputs' ({@link #shapes}), batch size included.
 * Each op belongs to one node, since it keeps what its backward pass needs.
 */
public final class Graph {

    /** One node: {@code op} reads values {@code inputs} and writes values {@code outputs}, in order. */
    public record Node(String name, Op op, int[] inputs, int[] outputs) {

        /** {@code name (what the op is)}, for messages. */
        public String label() {
            return name + " (" + op.describe() + ")";
        }
    }

    private final List<String> valueNames;
    private final List<Node> nodes;
    private final int[] inputs;
    private final int[] outputs;
    /** For each value, the index of the node that writes it, or −1 for an input. */
    private final int[] producer;
    /** The shapes of the last forward pass's values, which backward's missing gradients take as zeros. */
    private int[][] lastShapes;
    /**
     * Nodes {@code [0, frozen)} are frozen for training (transfer learning): they run as in inference
     * (batch-norm keeps its running statistics), backward stops before them, and their parameters are not
     * among the {@linkplain #trainableParameters trainable} ones.
     */
    private int frozen;

    private Graph(List<String> valueNames, List<Node> nodes, int[] inputs, int[] outputs) {
        this.valueNames = List.copyOf(valueNames);
        this.nodes = List.copyOf(nodes);
        this.inputs = inputs.clone();
        this.outputs = outputs.clone();
        this.producer = new int[valueNames.size()];
        Arrays.fill(producer, -1);
        for (int n = 0; n < nodes.size(); n++) {
            for (int out : nodes.get(n).outputs()) {
                producer[out] = n;
            }
        }
    }

    /** Ops applied one after another to one input, as nodes {@code layer1, layer2, …} reading value {@code input}. */
    public static Graph chain(Op... ops) {
        Builder builder = new Builder();
        int x = builder.input("input");
        for (int i = 0; i < ops.length; i++) {
            x = builder.add("layer" + (i + 1), ops[i], x);
        }
        return builder.build(x);
    }

    /** The nodes, in an order where each reads only values written before it. */
    public List<Node> nodes() {
        return nodes;
    }

    public int[] inputs() {
        return inputs.clone();
    }

    public int[] outputs() {
        return outputs.clone();
    }

    public int values() {
        return valueNames.size();
    }

    public String valueName(int value) {
        return valueNames.get(value);
    }

    /** The node that writes {@code value}, or {@code null} for an input. */
    public Node producer(int value) {
        return producer[value] < 0 ? null : nodes.get(producer[value]);
    }

    /** For each value, how many times nodes read it, plus one for each time it is an output of the graph. */
    public int[] readers() {
        int[] readers = new int[values()];
        for (Node node : nodes) {
            for (int in : node.inputs()) {
                readers[in]++;
            }
        }
        for (int out : outputs) {
            readers[out]++;
        }
        return readers;
    }

    /** Every node's parameters, node by node. */
    public List<Parameter> parameters() {
        List<Parameter> params = new ArrayList<>();
        nodes.forEach(node -> params.addAll(node.op().parameters()));
        return params;
    }

    /** The parameters training changes: those of the nodes after the frozen ones (all of them when none is). */
    public List<Parameter> trainableParameters() {
        List<Parameter> params = new ArrayList<>();
        nodes.subList(frozen, nodes.size()).forEach(node -> params.addAll(node.op().parameters()));
        return params;
    }

    /**
     * Freezes the nodes up to and including {@code name} (in the graph's order) for training, or none when
     * {@code name} is null: what transfer learning keeps of a trained network.
     *
     * @throws IllegalArgumentException naming the nodes there are when there is no such node
     */
    public void freezeThrough(String name) {
        if (name == null) {
            frozen = 0;
            return;
        }
        for (int k = 0; k < nodes.size(); k++) {
            if (nodes.get(k).name().equals(name)) {
                frozen = k + 1;
                return;
            }
        }
        throw new IllegalArgumentException("no node '" + name + "' to freeze through; the nodes are "
                + nodes.stream().map(Node::name).toList());
    }

    /** How many nodes, from the first, are frozen. */
    public int frozenNodes() {
        return frozen;
    }

    /** Floats the ops hold beside their parameters ({@link Op#derivedFloats}). */
    public long derivedFloats() {
        return nodes.stream().mapToLong(node -> node.op().derivedFloats()).sum();
    }

    /**
     * The shape of every value when the inputs have the given shapes.
     *
     * @throws IllegalArgumentException naming the node whose inputs do not fit it, and why
     */
    public int[][] shapes(int[]... inputShapes) {
        requireInputs(inputShapes.length);
        int[][] shapes = new int[values()][];
        for (int i = 0; i < inputs.length; i++) {
            shapes[inputs[i]] = inputShapes[i].clone();
        }
        for (Node node : nodes) {
            List<int[]> in = new ArrayList<>();
            for (int v : node.inputs()) {
                in.add(shapes[v]);
            }
            List<int[]> out;
            try {
                out = node.op().outputShapes(in);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(node.label() + ": " + e.getMessage(), e);
            }
            if (out.size() != node.outputs().length) {
                throw new IllegalArgumentException(node.label() + " gives " + out.size() + " outputs but the graph names "
                        + node.outputs().length);
            }
            for (int i = 0; i < out.size(); i++) {
                shapes[node.outputs()[i]] = out.get(i);
            }
        }
        return shapes;
    }

    /** Runs every node in order; returns every value, indexed as the graph numbers them. */
    public Tensor[] forward(Mode mode, Tensor... inputTensors) {
        return forward(mode, nodes.size(), inputTensors);
    }

    /** Runs the first {@code count} nodes in order; returns every value, null where not computed. */
    public Tensor[] forward(Mode mode, int count, Tensor... inputTensors) {
        requireInputs(inputTensors.length);
        Tensor[] values = new Tensor[values()];
        for (int i = 0; i < inputs.length; i++) {
            values[inputs[i]] = inputTensors[i];
        }
        for (int k = 0; k < count; k++) {
            Node node = nodes.get(k);
            List<Tensor> in = new ArrayList<>(node.inputs().length);
            for (int v : node.inputs()) {
                in.add(values[v]);
            }
            List<Tensor> out;
            try {
                out = node.op().forward(in, k < frozen ? Mode.INFER : mode);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(node.label() + ": " + e.getMessage(), e);
            }
            for (int i = 0; i < out.size(); i++) {
                values[node.outputs()[i]] = out.get(i);
            }
        }
        int[][] shapes = new int[values.length][];
        for (int v = 0; v < values.length; v++) {
            shapes[v] = values[v] == null ? null : values[v].shape();
        }
        lastShapes = shapes;
        return values;
    }

    /**
     * Backward from the loss gradient with respect to {@code value}, through the nodes of the last
     * forward pass in reverse; gradients of a value read by several nodes are summed.
     *
     * @return the gradient with respect to each input of the graph
     */
    public Tensor[] backward(int value, Tensor gradient) {
        if (lastShapes == null) {
            throw new IllegalStateException("backward needs a forward pass first");
        }
        Shapes.require("the gradient of " + valueNames.get(value), gradient, lastShapes[value]);
        Tensor[] grads = new Tensor[values()];
        boolean[] owned = new boolean[values()];
        grads[value] = gradient;
        for (int n = nodes.size() - 1; n >= frozen; n--) {
            Node node = nodes.get(n);
            if (Arrays.stream(node.outputs()).allMatch(out -> grads[out] == null)) {
                continue;
            }
            List<Tensor> gradOut = new ArrayList<>();
            for (int out : node.outputs()) {
                gradOut.add(grads[out] != null ? grads[out] : Tensor.zeros(lastShapes[out]));
                grads[out] = null;
            }
            List<Tensor> gradIn = node.op().backward(gradOut);
            for (int i = 0; i < node.inputs().length; i++) {
                accumulate(grads, owned, node.inputs()[i], gradIn.get(i));
            }
        }
        Tensor[] inputGrads = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            inputGrads[i] = grads[inputs[i]] != null ? grads[inputs[i]] : Tensor.zeros(lastShapes[inputs[i]]);
        }
        return inputGrads;
    }

    /**
     * Adds {@code gradient} into the gradient of {@code value}: the first is kept as it is (an op may hand
     * the same tensor to several inputs, so it is never written), the second starts a sum of our own.
     */
    private static void accumulate(Tensor[] grads, boolean[] owned, int value, Tensor gradient) {
        Tensor sofar = grads[value];
        if (sofar == null) {
            grads[value] = gradient;
            return;
        }
        Tensor sum = owned[value] ? sofar : Tensor.zeros(sofar.shape());
        Parallelism.forRange(sum.size(), 1 << 15,
                (from, to) -> Elementwise.add(sofar.data(), gradient.data(), sum.data(), from, to, false));
        grads[value] = sum;
        owned[value] = true;
    }

    private void requireInputs(int given) {
        if (given != inputs.length) {
            throw new IllegalArgumentException("the graph takes " + inputs.length + " inputs "
                    + Arrays.stream(inputs).mapToObj(valueNames::get).toList() + " but was given " + given);
        }
    }

    /**
     * Builds a graph node by node: each node reads values that already exist, so the order nodes are
     * added in is the order they run in. Names are unique among values and among nodes.
     */
    public static final class Builder {
        private final List<String> valueNames = new ArrayList<>();
        private final Map<String, Integer> valueByName = new HashMap<>();
        private final List<Node> nodes = new ArrayList<>();
        private final Map<String, Node> nodeByName = new HashMap<>();
        private final Set<Op> ops = Collections.newSetFromMap(new IdentityHashMap<>());
        private final List<Integer> inputs = new ArrayList<>();

        /** A new input of the graph; returns its value. */
        public int input(String name) {
            int value = value(name);
            inputs.add(value);
            return value;
        }

        /** A node with one output, a value named as the node; returns that value. */
        public int add(String name, Op op, int... in) {
            return add(name, op, List.of(name), in)[0];
        }

        /** A node writing values named {@code outputNames}; returns them. */
        public int[] add(String name, Op op, List<String> outputNames, int... in) {
            if (nodeByName.containsKey(name)) {
                throw new IllegalArgumentException("two nodes are named " + name);
            }
            if (!ops.add(op)) {
                throw new IllegalArgumentException("node " + name + " reuses the op of another node (" + op.describe()
                        + "); each node needs an op of its own");
            }
            if (op.arity() >= 0 ? in.length != op.arity() : in.length == 0) {
                throw new IllegalArgumentException("node " + name + " (" + op.describe() + ") takes "
                        + (op.arity() >= 0 ? Integer.toString(op.arity()) : "one or more") + " inputs but was given " + in.length);
            }
            for (int v : in) {
                if (v < 0 || v >= valueNames.size()) {
                    throw new IllegalArgumentException("node " + name + " reads value " + v + ", which does not exist yet");
                }
            }
            int[] out = outputNames.stream().mapToInt(this::value).toArray();
            Node node = new Node(name, op, in.clone(), out);
            nodes.add(node);
            nodeByName.put(name, node);
            return out.clone();
        }

        /** The value named {@code name}. */
        public int value(String name, String forWhat) {
            Integer value = valueByName.get(name);
            if (value == null) {
                throw new IllegalArgumentException(forWhat + " reads '" + name + "', which no input or node has written");
            }
            return value;
        }

        /** The graph, with the given values as its outputs. */
        public Graph build(int... outputs) {
            if (outputs.length == 0) {
                throw new IllegalArgumentException("a graph needs at least one output");
            }
            return new Graph(valueNames, nodes, inputs.stream().mapToInt(Integer::intValue).toArray(), outputs);
        }

        private int value(String name) {
            if (valueByName.containsKey(name)) {
                throw new IllegalArgumentException("two values are named " + name);
            }
            valueNames.add(name);
            valueByName.put(name, valueNames.size() - 1);
            return valueNames.size() - 1;
        }
    }
}
