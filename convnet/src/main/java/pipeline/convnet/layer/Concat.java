package pipeline.convnet.layer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * Inputs joined along one axis (channels, axis 1, for Inception's, SqueezeNet's and DenseNet's
 * branches); every other axis must agree. Backward hands each input its slice of the gradient.
 *
 * <pre>
 * inputs [N, C_i, H, W] (axis 1)  →  output [N, Σ C_i, H, W]
 * </pre>
 * Seen as {@code [outer, size_i · inner]} blocks: before the axis, {@code outer} rows; each input
 * contributes {@code size_i · inner} contiguous values to every row.
 */
public final class Concat implements Op {

    private final int axis;
    private List<int[]> inputShapes;

    /** Joins along {@code axis}, counted from 0; negative counts from the end ({@code −1} the last). */
    public Concat(int axis) {
        this.axis = axis;
    }

    public int axis() {
        return axis;
    }

    @Override
    public String describe() {
        return "concat(axis " + axis + ")";
    }

    @Override
    public int arity() {
        return -1;
    }

    @Override
    public List<int[]> outputShapes(List<int[]> in) {
        int[] first = in.getFirst();
        int at = axisOf(first);
        int[] out = first.clone();
        for (int[] shape : in.subList(1, in.size())) {
            boolean fits = shape.length == first.length;
            for (int i = 0; fits && i < shape.length; i++) {
                fits = i == at || shape[i] == first[i];
            }
            if (!fits) {
                throw new IllegalArgumentException(describe() + ": inputs " + in.stream().map(Shapes::toString).toList()
                        + " differ on an axis other than " + at + "; all other axes must agree");
            }
            out[at] += shape[at];
        }
        return List.of(out);
    }

    @Override
    public List<Tensor> forward(List<Tensor> inputs, Mode mode) {
        List<int[]> shapes = inputs.stream().map(Tensor::shape).toList();
        inputShapes = shapes;
        Tensor y = Tensor.zeros(outputShapes(shapes).getFirst());
        infer(inputs, List.of(y));
        return List.of(y);
    }

    @Override
    public void infer(List<Tensor> inputs, List<Tensor> outputs) {
        Tensor y = outputs.getFirst();
        int[] out = y.shape();
        int at = axisOf(out);
        int outer = Shapes.size(Arrays.copyOf(out, at));
        int row = y.size() / Math.max(1, outer);
        int offset = 0;
        for (Tensor x : inputs) {
            int part = x.size() / Math.max(1, outer);
            for (int o = 0; o < outer; o++) {
                System.arraycopy(x.data(), o * part, y.data(), o * row + offset, part);
            }
            offset += part;
        }
    }

    @Override
    public List<Tensor> backward(List<Tensor> gradOutputs) {
        Tensor g = gradOutputs.getFirst();
        int at = axisOf(g.shape());
        int outer = Shapes.size(Arrays.copyOf(g.shape(), at));
        int row = g.size() / Math.max(1, outer);
        List<Tensor> grads = new ArrayList<>();
        int offset = 0;
        for (int[] shape : inputShapes) {
            Tensor grad = Tensor.zeros(shape);
            int part = grad.size() / Math.max(1, outer);
            for (int o = 0; o < outer; o++) {
                System.arraycopy(g.data(), o * row + offset, grad.data(), o * part, part);
            }
            offset += part;
            grads.add(grad);
        }
        return grads;
    }

    private int axisOf(int[] shape) {
        int at = axis < 0 ? axis + shape.length : axis;
        if (at < 0 || at >= shape.length) {
            throw new IllegalArgumentException(describe() + ": axis " + axis + " is outside inputs of rank " + shape.length);
        }
        return at;
    }
}
