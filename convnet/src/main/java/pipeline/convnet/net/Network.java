package pipeline.convnet.net;

import java.util.ArrayList;
import java.util.List;
import pipeline.convnet.layer.BatchNorm2d;
import pipeline.convnet.layer.Layer;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.layer.Parameter;
import pipeline.convnet.layer.Residual;
import pipeline.convnet.layer.Sequential;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * A classifier: layers from an input of shape {@code [C, H, W]} to logits {@code [N, classes]}.
 * The last layer is the classifier head; what enters it is the image's embedding.
 *
 * @param spec  the text it was declared in (see {@link NetworkSpec})
 * @param input {@code [C, H, W]} of one image
 */
public record Network(String spec, int[] input, Sequential layers) {

    /** Logits and the L2-normalised embeddings, from one forward pass. */
    public record Output(Tensor logits, Tensor embeddings) {}

    public Network {
        input = input.clone();
        if (layers.layers().isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one layer");
        }
    }

    public int classes() {
        return layers.outputShape(batchShape(1))[1];
    }

    public List<Parameter> parameters() {
        return layers.parameters();
    }

    /**
     * This network rewritten for serving: batch-norm folded into the convolutions before it, ReLU fused
     * into the convolution or residual sum before it (see {@link InferenceFusion}). Same function in
     * inference, fewer passes over memory, and no backward pass where fused. Unfused layers are shared
     * with this network: fuse once training is done.
     */
    public Network fusedForInference() {
        return new Network(spec, input, InferenceFusion.fuse(layers));
    }

    public Tensor forward(Tensor images, Mode mode) {
        checkInput(images);
        return layers.forward(images, mode);
    }

    /** Logits {@code [N, K]} and embeddings {@code [N, F]}, the head's input, each row scaled to unit length. */
    public Output forwardWithEmbeddings(Tensor images, Mode mode) {
        checkInput(images);
        List<Layer> all = layers.layers();
        Tensor features = images;
        for (Layer layer : all.subList(0, all.size() - 1)) {
            features = layer.forward(features, mode);
        }
        Tensor logits = all.getLast().forward(features, mode);
        return new Output(logits, l2Normalised(features));
    }

    /** A tensor the network's state is made of, named by its place: {@code layer3.weight}, {@code layer5.main.layer1.runningVar}. */
    public record NamedTensor(String name, int[] shape, float[] values) {}

    /**
     * Everything a trained network holds, in a fixed order: every parameter, and the running
     * statistics of every batch-norm layer. Writing into the arrays changes the network.
     */
    public List<NamedTensor> state() {
        List<NamedTensor> state = new ArrayList<>();
        collect("", layers, state);
        return state;
    }

    private static void collect(String prefix, Layer layer, List<NamedTensor> state) {
        switch (layer) {
            case Sequential s -> {
                for (int i = 0; i < s.layers().size(); i++) {
                    collect(prefix + "layer" + (i + 1) + ".", s.layers().get(i), state);
                }
            }
            case Residual r -> {
                collect(prefix + "main.", r.main(), state);
                if (r.shortcut() != null) {
                    collect(prefix + "shortcut.", r.shortcut(), state);
                }
            }
            default -> {
                for (Parameter p : layer.parameters()) {
                    state.add(new NamedTensor(prefix + p.name(), p.value().shape(), p.value().data()));
                }
                if (layer instanceof BatchNorm2d bn) {
                    state.add(new NamedTensor(prefix + "runningMean", new int[] {bn.runningMean().length}, bn.runningMean()));
                    state.add(new NamedTensor(prefix + "runningVar", new int[] {bn.runningVar().length}, bn.runningVar()));
                }
            }
        }
    }

    public Tensor backward(Tensor gradLogits) {
        return layers.backward(gradLogits);
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
