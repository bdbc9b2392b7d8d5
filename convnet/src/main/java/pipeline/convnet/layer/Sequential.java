package pipeline.convnet.layer;

import java.util.ArrayList;
import java.util.List;
import pipeline.convnet.tensor.Tensor;

/** Layers applied in order; backward runs them in reverse. A shape error names the failing layer's position. */
public final class Sequential implements Layer {

    private final List<Layer> layers;

    public Sequential(List<Layer> layers) {
        this.layers = List.copyOf(layers);
    }

    public static Sequential of(Layer... layers) {
        return new Sequential(List.of(layers));
    }

    public List<Layer> layers() {
        return layers;
    }

    @Override
    public String describe() {
        return "sequential(" + layers.size() + " layers)";
    }

    @Override
    public int[] outputShape(int[] in) {
        int[] shape = in;
        for (int i = 0; i < layers.size(); i++) {
            shape = atLayer(i, shape);
        }
        return shape;
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Tensor out = x;
        for (int i = 0; i < layers.size(); i++) {
            try {
                out = layers.get(i).forward(out, mode);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("layer " + (i + 1) + " of " + layers.size() + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Tensor grad = gradOut;
        for (int i = layers.size() - 1; i >= 0; i--) {
            grad = layers.get(i).backward(grad);
        }
        return grad;
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> params = new ArrayList<>();
        layers.forEach(layer -> params.addAll(layer.parameters()));
        return params;
    }

    @Override
    public long derivedFloats() {
        return layers.stream().mapToLong(Layer::derivedFloats).sum();
    }

    private int[] atLayer(int i, int[] shape) {
        try {
            return layers.get(i).outputShape(shape);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("layer " + (i + 1) + " of " + layers.size() + ": " + e.getMessage(), e);
        }
    }
}
