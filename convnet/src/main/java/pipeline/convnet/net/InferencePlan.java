package pipeline.convnet.net;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import pipeline.convnet.layer.Op;
import pipeline.convnet.tensor.Shapes;

/**
 * Where every activation of a batch of N lives while a network runs inference: the graph's nodes as
 * steps over its values (numbered as the graph numbers them; the caller's input is the graph's input),
 * and each value placed in one of a few buffers that later values reuse once the values in them are dead.
 *
 * <ul>
 *   <li>A view (flatten, or a dropout, the identity in inference: {@link Op#view}) is no step: its output is its
 *   input's storage.</li>
 *   <li>An element-wise op (an activation, a sum) writes over an input of its output's size that no later step reads.</li>
 *   <li>Buffers are handed out step by step, best fit first: the smallest free buffer large enough, else
 *   the largest free one (grown), else a new one; a value's buffer is free again after its last reader (an output nothing reads, at once).</li>
 * </ul>
 * The embedding (the head's input) and the logits stay live to the end. A plan's decisions depend only on
 * the ratios of the values' sizes, so plans for every batch size use the same buffers, each
 * in proportion to N: one thread's buffers, grown to its largest batch, serve all its batch sizes.
 */
final class InferencePlan {

    /** One node's {@link Op#infer}: reads values {@code in}, writes values {@code out}. */
    record Step(Op op, int[] in, int[] out) {}

    private final List<Step> steps = new ArrayList<>();
    private final int[][] shapes;
    /** For each value, a value whose storage it uses (itself when it has its own): follow to the {@link #root}. */
    private final int[] storageOf;
    private final int input;
    private final int embedding;
    private final int logits;
    /** For each value, its buffer, or −1 for the caller's input (and views of it). */
    private final int[] buffer;
    /** Floats per buffer. */
    private final long[] bufferFloats;

    InferencePlan(Network network, int[] inputShape) {
        Graph graph = network.graph();
        shapes = graph.shapes(inputShape);
        storageOf = new int[shapes.length];
        for (int v = 0; v < shapes.length; v++) {
            storageOf[v] = v;
        }
        for (Graph.Node node : graph.nodes()) {
            if (node.op().view()) {
                storageOf[node.outputs()[0]] = node.inputs()[0];
            } else {
                steps.add(new Step(node.op(), node.inputs(), node.outputs()));
            }
        }
        input = graph.inputs()[0];
        embedding = network.embeddingValue();
        logits = network.logitsValue();
        shareElementwise();
        buffer = new int[shapes.length];
        bufferFloats = assignBuffers();
    }

    List<Step> steps() {
        return steps;
    }

    int values() {
        return shapes.length;
    }

    int[] shape(int value) {
        return shapes[value];
    }

    /** The buffer value {@code value} lives in, or −1 for the caller's input (and views of it). */
    int buffer(int value) {
        return buffer[value];
    }

    long[] bufferFloats() {
        return bufferFloats.clone();
    }

    int input() {
        return input;
    }

    int embedding() {
        return embedding;
    }

    int logits() {
        return logits;
    }

    /** Floats of the largest single activation (any value but the input). */
    long largestActivation() {
        long largest = 0;
        for (int v = 0; v < shapes.length; v++) {
            if (v != input) {
                largest = Math.max(largest, Shapes.size(shapes[v]));
            }
        }
        return largest;
    }

    /**
     * Lets element-wise steps and sums write over an input whose storage no later step reads. Decided
     * in step order: a storage's last reader only moves later as values join it.
     */
    private void shareElementwise() {
        int[] lastRead = lastReads();
        for (int s = 0; s < steps.size(); s++) {
            Step step = steps.get(s);
            if (!step.op().elementwise()) {
                continue;
            }
            int out = step.out()[0];
            for (int in : step.in()) {
                int storage = root(in);
                if (storage != root(input) && lastRead[storage] == s && Shapes.size(shapes[in]) == Shapes.size(shapes[out])) {
                    storageOf[out] = storage;
                    lastRead = lastReads();
                    break;
                }
            }
        }
    }

    /** For each storage, the last step that reads a value stored in it; the embedding and logits are read at the end. */
    private int[] lastReads() {
        int[] last = new int[shapes.length];
        Arrays.fill(last, -1);
        for (int s = 0; s < steps.size(); s++) {
            for (int in : steps.get(s).in()) {
                last[root(in)] = s;
            }
        }
        last[root(embedding)] = steps.size();
        last[root(logits)] = steps.size();
        return last;
    }

    /** The value that owns {@code value}'s storage. */
    private int root(int value) {
        int v = value;
        while (storageOf[v] != v) {
            v = storageOf[v];
        }
        return v;
    }

    /** Buffers for every storage, step by step (see the class comment); returns their sizes in floats. */
    private long[] assignBuffers() {
        int[] lastRead = lastReads();
        for (int s = 0; s < steps.size(); s++) {
            for (int out : steps.get(s).out()) {
                if (lastRead[root(out)] < 0) {
                    lastRead[root(out)] = s;
                }
            }
        }
        List<Long> sizes = new ArrayList<>();
        List<Integer> free = new ArrayList<>();
        int[] storageBuffer = new int[shapes.length];
        Arrays.fill(storageBuffer, -1);
        for (int s = 0; s < steps.size(); s++) {
            for (int out : steps.get(s).out()) {
                if (root(out) == out) {
                    storageBuffer[out] = take(free, sizes, Shapes.size(shapes[out]));
                }
            }
            for (int v = 0; v < shapes.length; v++) {
                if (root(v) == v && storageBuffer[v] >= 0 && lastRead[v] == s) {
                    free.add(storageBuffer[v]);
                }
            }
        }
        for (int v = 0; v < shapes.length; v++) {
            buffer[v] = storageBuffer[root(v)];
        }
        return sizes.stream().mapToLong(Long::longValue).toArray();
    }

    /** A free buffer for {@code floats}: the smallest that holds them, else the largest grown, else a new one. */
    private static int take(List<Integer> free, List<Long> sizes, long floats) {
        Integer best = null;
        for (Integer b : free) {
            long size = sizes.get(b);
            if (size >= floats && (best == null || size < sizes.get(best))) {
                best = b;
            }
        }
        if (best == null) {
            for (Integer b : free) {
                if (best == null || sizes.get(b) > sizes.get(best)) {
                    best = b;
                }
            }
        }
        if (best == null) {
            sizes.add(floats);
            return sizes.size() - 1;
        }
        free.remove(best);
        sizes.set(best, Math.max(sizes.get(best), floats));
        return best;
    }
}
