package pipeline.convnet.train;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import pipeline.convnet.init.Initializer;
import pipeline.convnet.layer.Linear;
import pipeline.convnet.net.Graph;
import pipeline.convnet.net.Network;
import pipeline.convnet.net.NetworkSpec;

/**
 * Transfer learning: a trained network's body kept, its classifier head replaced by one for new
 * classes, and the layers up to a chosen one frozen, so a small dataset of one's own trains the head
 * (and perhaps the last blocks) on features learnt from a large one.
 */
public final class TransferLearning {

    /** The spec line of a linear layer: its optional label, then {@code linear N}. */
    private static final Pattern LINEAR = Pattern.compile("^(\\s*(?:[^\\s#]+:\\s+)?linear\\s+)(\\d+)(.*)$");

    /** Nothing frozen: every layer trains. */
    public static final String NONE = "none";
    /** Everything but the head frozen: only the classifier trains. */
    public static final String BODY = "body";

    private TransferLearning() {
    }

    /**
     * {@code network} with a new head for {@code classes} classes: the last line of its spec, which must
     * declare the linear layer writing the logits, gets that many outputs and fresh weights (He-initialised
     * with {@code seed}); every other node keeps its trained state, batch-norm statistics included.
     *
     * @throws IllegalArgumentException when the logits are not written by a linear layer on the spec's last line
     */
    public static Network withNewHead(Network network, int classes, long seed) {
        return replaceHead(network, classes, seed, false);
    }

    /**
     * {@code network} with {@code added} more outputs: the head's existing outputs keep their weights and
     * biases (the model predicts its classes as before until it is trained), the new ones start fresh.
     *
     * @throws IllegalArgumentException as {@link #withNewHead} does
     */
    public static Network withGrownHead(Network network, int added, long seed) {
        if (added < 1) {
            throw new IllegalArgumentException("a head grows by 1 or more outputs; got " + added);
        }
        return replaceHead(network, network.classes() + added, seed, true);
    }

    private static Network replaceHead(Network network, int classes, long seed, boolean keepOutputs) {
        Graph.Node head = network.graph().producer(network.logitsValue());
        if (!(head.op() instanceof Linear)) {
            throw new IllegalArgumentException("the network's logits come from " + head.label()
                    + "; a new head replaces a linear layer");
        }
        String[] lines = network.spec().split("\n", -1);
        int last = lines.length - 1;
        while (last >= 0 && lines[last].replaceFirst("#.*", "").isBlank()) {
            last--;
        }
        Matcher linear = last < 0 ? null : LINEAR.matcher(lines[last]);
        if (linear == null || !linear.matches()) {
            throw new IllegalArgumentException("the spec's last line is '" + (last < 0 ? "" : lines[last].strip())
                    + "'; a new head replaces the linear layer declared there");
        }
        lines[last] = linear.group(1) + classes + linear.group(3);
        Network next = NetworkSpec.parse(String.join("\n", lines), seed);
        new Initializer(Initializer.Scheme.HE, seed).initialise(next.graph());
        Map<String, Network.NamedTensor> trained = new HashMap<>();
        network.state().forEach(t -> trained.put(t.name(), t));
        String headPrefix = next.graph().producer(next.logitsValue()).name() + ".";
        for (Network.NamedTensor tensor : next.state()) {
            Network.NamedTensor old = trained.get(tensor.name());
            if (old == null) {
                continue;
            }
            boolean inHead = tensor.name().startsWith(headPrefix);
            if (!inHead && old.values().length == tensor.values().length) {
                System.arraycopy(old.values(), 0, tensor.values(), 0, tensor.values().length);
            } else if (inHead && keepOutputs) {
                // Weight [OUT, IN] and bias [OUT], row-major: the old outputs are the first rows.
                System.arraycopy(old.values(), 0, tensor.values(), 0, old.values().length);
            }
        }
        return next;
    }

    /**
     * Freezes {@code network}'s nodes for training: {@link #NONE}, {@link #BODY} (every node before the
     * head), or those up to and including the node named (in the graph's order).
     *
     * @throws IllegalArgumentException naming the nodes there are when there is no such node
     */
    public static void freezeUpTo(Network network, String what) {
        Graph graph = network.graph();
        switch (what) {
            case NONE -> graph.freezeThrough(null);
            case BODY -> {
                int head = graph.nodes().indexOf(graph.producer(network.logitsValue()));
                graph.freezeThrough(head == 0 ? null : graph.nodes().get(head - 1).name());
            }
            default -> graph.freezeThrough(what);
        }
    }
}
