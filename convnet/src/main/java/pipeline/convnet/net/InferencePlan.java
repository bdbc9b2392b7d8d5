package pipeline.convnet.net;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import pipeline.convnet.layer.Dropout;
import pipeline.convnet.layer.Flatten;
import pipeline.convnet.layer.Layer;
import pipeline.convnet.layer.Residual;
import pipeline.convnet.layer.Sequential;
import pipeline.convnet.tensor.Shapes;

/**
 * Where every activation of a batch of N lives while a network runs inference: the layers flattened
 * into steps over numbered values (value 0 is the caller's input, then each step's output), and each
 * value placed in one of a few buffers that later values reuse once the values in them are dead.
 *
 * <ul>
 *   <li>A flatten, or a dropout (the identity in inference), is a view: its output is its input's storage.</li>
 *   <li>An element-wise layer, or a residual sum, writes over an input that no later step reads.</li>
 *   <li>Buffers are handed out step by step, best fit first: the smallest free buffer large enough, else
 *   the largest free one (grown), else a new one; a value's buffer is free again after its last reader.</li>
 * </ul>
 * The embedding (the head's input) and the logits stay live to the end. A plan's decisions depend only on
 * the ratios of the values' sizes, so plans for every batch size use the same buffers, each
 * in proportion to N: one thread's buffers, grown to its largest batch, serve all its batch sizes.
 */
final class InferencePlan {

    /** One step: a layer's {@link Layer#infer}, or the sum of a residual block's two paths (then ReLU, if fused). */
    sealed interface Step {
        int out();
    }

    record Apply(Layer layer, int in, int out) implements Step {}

    record Sum(int main, int shortcut, int out, boolean relu) implements Step {}

    private final List<Step> steps = new ArrayList<>();
    private final List<int[]> shapes = new ArrayList<>();
    /** For each value, a value whose storage it uses (itself when it has its own): follow to the {@link #root}. */
    private final List<Integer> storageOf = new ArrayList<>();
    private final int embedding;
    private final int logits;
    /** For each value, its buffer, or −1 for the caller's input (and views of it). */
    private final int[] buffer;
    /** Floats per buffer. */
    private final long[] bufferFloats;

    InferencePlan(Sequential layers, int[] inputShape) {
        shapes.add(inputShape.clone());
        storageOf.add(0);
        List<Layer> top = layers.layers();
        int x = 0;
        for (Layer layer : top.subList(0, top.size() - 1)) {
            x = add(layer, x);
        }
        embedding = x;
        logits = add(top.getLast(), x);
        shareElementwise();
        buffer = new int[shapes.size()];
        bufferFloats = assignBuffers();
    }

    List<Step> steps() {
        return steps;
    }

    int values() {
        return shapes.size();
    }

    int[] shape(int value) {
        return shapes.get(value);
    }

    /** The buffer value {@code value} lives in, or −1 for the caller's input. */
    int buffer(int value) {
        return buffer[value];
    }

    long[] bufferFloats() {
        return bufferFloats.clone();
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
        for (int v = 1; v < shapes.size(); v++) {
            largest = Math.max(largest, Shapes.size(shapes.get(v)));
        }
        return largest;
    }

    /** Appends the steps of {@code layer} reading value {@code in}; returns the value it outputs. */
    private int add(Layer layer, int in) {
        try {
            return switch (layer) {
                case Sequential s -> {
                    int x = in;
                    for (Layer inner : s.layers()) {
                        x = add(inner, x);
                    }
                    yield x;
                }
                case Residual r -> {
                    int main = add(r.main(), in);
                    int shortcut = r.shortcut() == null ? in : add(r.shortcut(), in);
                    int out = value(layer.outputShape(shapes.get(in)), -1);
                    steps.add(new Sum(main, shortcut, out, r.fusedRelu()));
                    yield out;
                }
                case Flatten f -> value(f.outputShape(shapes.get(in)), in);
                case Dropout d -> value(d.outputShape(shapes.get(in)), in);
                default -> {
                    int out = value(layer.outputShape(shapes.get(in)), -1);
                    steps.add(new Apply(layer, in, out));
                    yield out;
                }
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(layer.describe() + ": " + e.getMessage(), e);
        }
    }

    /** A new value of the given shape, stored where value {@code storage} is, or on its own when −1. */
    private int value(int[] shape, int storage) {
        int v = shapes.size();
        shapes.add(shape);
        storageOf.add(storage < 0 ? v : storage);
        return v;
    }

    /**
     * Lets element-wise steps and sums write over an input whose storage no later step reads. Decided
     * in step order: a storage's last reader only moves later as values join it.
     */
    private void shareElementwise() {
        int[] lastRead = lastReads();
        for (int s = 0; s < steps.size(); s++) {
            Step step = steps.get(s);
            int[] candidates = switch (step) {
                case Apply a -> a.layer().elementwise() ? new int[] {a.in()} : new int[0];
                case Sum sum -> new int[] {sum.main(), sum.shortcut()};
            };
            for (int in : candidates) {
                int storage = root(in);
                if (storage != 0 && lastRead[storage] == s && Shapes.size(shapes.get(in)) == Shapes.size(shapes.get(step.out()))) {
                    storageOf.set(step.out(), storage);
                    lastRead = lastReads();
                    break;
                }
            }
        }
    }

    /** For each storage, the last step that reads a value stored in it; the embedding and logits are read at the end. */
    private int[] lastReads() {
        int[] last = new int[shapes.size()];
        Arrays.fill(last, -1);
        for (int s = 0; s < steps.size(); s++) {
            for (int in : inputs(steps.get(s))) {
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
        while (storageOf.get(v) != v) {
            v = storageOf.get(v);
        }
        return v;
    }

    private static int[] inputs(Step step) {
        return switch (step) {
            case Apply a -> new int[] {a.in()};
            case Sum sum -> new int[] {sum.main(), sum.shortcut()};
        };
    }

    /** Buffers for every storage, step by step (see the class comment); returns their sizes in floats. */
    private long[] assignBuffers() {
        int[] lastRead = lastReads();
        List<Long> sizes = new ArrayList<>();
        List<Integer> free = new ArrayList<>();
        int[] storageBuffer = new int[shapes.size()];
        Arrays.fill(storageBuffer, -1);
        for (int s = 0; s < steps.size(); s++) {
            int out = steps.get(s).out();
            if (root(out) == out) {
                storageBuffer[out] = take(free, sizes, Shapes.size(shapes.get(out)));
            }
            for (int v = 0; v < shapes.size(); v++) {
                if (root(v) == v && storageBuffer[v] >= 0 && lastRead[v] == s) {
                    free.add(storageBuffer[v]);
                }
            }
        }
        for (int v = 0; v < shapes.size(); v++) {
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
