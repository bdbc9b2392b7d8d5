package pipeline.convnet.net;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import pipeline.convnet.layer.Layer;
import pipeline.convnet.layer.Parameter;
import pipeline.convnet.tensor.Tensor;

/**
 * A trained network as it serves: fused for inference ({@link Network#fusedForInference}) and run
 * from an {@link InferencePlan}, so after a thread's first batch of its largest size, a batch allocates
 * only the results it returns. Each thread has its own activation buffers, so any number of threads
 * may serve at once. A thread's buffers are shared by every network it serves: they grow to the
 * largest batch of the largest model and are reused for every size, and a model swapped in reuses
 * its predecessor's rather than leaving them to linger until the thread's stale entries are cleared.
 *
 * <p>Nothing is kept for backward: to take gradients (saliency, training), use the {@link Network}.
 */
public final class ServingNetwork {

    /** What serving a batch holds in memory, in bytes. */
    public record Memory(long weights, long activations, long largestActivation) {}

    private final Network network;
    private final Map<Integer, InferencePlan> plans = new ConcurrentHashMap<>();
    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private ServingNetwork(Network fused) {
        this.network = fused;
    }

    /** {@code trained} fused for inference; it shares unfused layers with {@code trained}, so serve it once training is done. */
    public static ServingNetwork of(Network trained) {
        return new ServingNetwork(trained.fusedForInference());
    }

    /** The fused network it runs. */
    public Network network() {
        return network;
    }

    /** Logits {@code [N, K]} of images {@code [N, C, H, W]}, in an array of their own. */
    public Tensor logits(Tensor images) {
        InferencePlan plan = run(images);
        return BUFFERS.get().values[plan.logits()].copy();
    }

    /** Logits {@code [N, K]} and L2-normalised embeddings {@code [N, F]}, as {@link Network#forwardWithEmbeddings}. */
    public Network.Output infer(Tensor images) {
        InferencePlan plan = run(images);
        Tensor[] values = BUFFERS.get().values;
        return new Network.Output(values[plan.logits()].copy(), Network.l2Normalised(values[plan.embedding()]));
    }

    /**
     * The memory a batch of {@code n} needs on one thread: the weights as served (with the copies
     * rearranged for kernels, {@link Layer#derivedFloats}), its activation buffers, and the largest activation.
     */
    public Memory memory(int n) {
        InferencePlan plan = plan(n);
        long weights = network.graph().derivedFloats();
        for (Parameter p : network.parameters()) {
            weights += p.value().size();
        }
        return new Memory(weights * Float.BYTES, Arrays.stream(plan.bufferFloats()).sum() * Float.BYTES,
                plan.largestActivation() * Float.BYTES);
    }

    private InferencePlan plan(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("a batch needs at least one image; got " + n);
        }
        return plans.computeIfAbsent(n, size -> new InferencePlan(network, network.batchShape(size)));
    }

    /** Runs the plan for the batch; its values are in this thread's {@link Buffers#values} until the next call. */
    private InferencePlan run(Tensor images) {
        network.checkInput(images);
        InferencePlan plan = plan(images.dim(0));
        Tensor[] values = BUFFERS.get().bind(plan, images);
        for (InferencePlan.Step step : plan.steps()) {
            try {
                if (step.op() instanceof Layer layer) {
                    layer.infer(values[step.in()[0]], values[step.out()[0]]);
                } else {
                    step.op().infer(select(values, step.in()), select(values, step.out()));
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(step.op().describe() + ": " + e.getMessage(), e);
            }
        }
        return plan;
    }

    private static List<Tensor> select(Tensor[] values, int[] indices) {
        return Arrays.stream(indices).mapToObj(v -> values[v]).toList();
    }

    /**
     * One thread's activation buffers, and the views of them a plan's values are, kept while the
     * thread serves the same plan (another batch size or network rebinds them; the arrays only grow).
     */
    private static final class Buffers {
        private float[][] arrays = new float[0][];
        private InferencePlan boundPlan;
        private Tensor[] values;

        Tensor[] bind(InferencePlan plan, Tensor images) {
            long[] floats = plan.bufferFloats();
            boolean grown = false;
            if (arrays.length < floats.length) {
                arrays = Arrays.copyOf(arrays, floats.length);
            }
            for (int b = 0; b < floats.length; b++) {
                if (arrays[b] == null || arrays[b].length < floats[b]) {
                    arrays[b] = new float[Math.toIntExact(floats[b])];
                    grown = true;
                }
            }
            if (plan != boundPlan || grown) {
                values = new Tensor[plan.values()];
                boundPlan = plan;
                for (int v = 0; v < values.length; v++) {
                    int b = plan.buffer(v);
                    values[v] = b < 0 ? null : Tensor.view(arrays[b], plan.shape(v));
                }
            }
            for (int v = 0; v < values.length; v++) {
                if (plan.buffer(v) < 0) {
                    values[v] = images.reshape(plan.shape(v));
                }
            }
            return values;
        }
    }
}
