package pipeline.convnet.init;

import java.util.SplittableRandom;
import pipeline.convnet.layer.Conv1d;
import pipeline.convnet.layer.Conv2d;
import pipeline.convnet.layer.Linear;
import pipeline.convnet.layer.Op;
import pipeline.convnet.layer.Sequential;
import pipeline.convnet.net.Graph;
import pipeline.convnet.tensor.Tensor;

/**
 * Weight initialisation from a seed, so the same seed gives the same network.
 * He (Kaiming) normal, {@code std = √(2/fan_in)}, suits ReLU nets; Xavier (Glorot) uniform,
 * {@code ±√(6/(fan_in + fan_out))}, suits tanh and sigmoid. Biases start at zero.
 */
public final class Initializer {

    public enum Scheme { HE, XAVIER }

    private final Scheme scheme;
    private final SplittableRandom random;

    public Initializer(Scheme scheme, long seed) {
        this.scheme = scheme;
        this.random = new SplittableRandom(seed);
    }

    /** Initialises every convolution and linear layer of the graph, node by node. */
    public void initialise(Graph graph) {
        graph.nodes().forEach(node -> initialise(node.op()));
    }

    /** Initialises {@code op} if it is a convolution or linear layer, or the layers inside it if it is a chain of them. */
    public void initialise(Op op) {
        switch (op) {
            case Sequential s -> s.layers().forEach(this::initialise);
            case Conv1d c -> initialise(c.asConv2d());
            case Conv2d c -> fill(c.weight().value(), c.fanIn(), c.fanOut());
            case Linear l -> fill(l.weight().value(), l.inFeatures(), l.outFeatures());
            default -> { }
        }
    }

    private void fill(Tensor weight, int fanIn, int fanOut) {
        float[] w = weight.data();
        if (scheme == Scheme.HE) {
            double std = Math.sqrt(2.0 / fanIn);
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (random.nextGaussian() * std);
            }
        } else {
            double bound = Math.sqrt(6.0 / (fanIn + fanOut));
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
            }
        }
    }
}
