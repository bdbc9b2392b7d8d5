package pipeline.onnx;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import pipeline.convnet.kernel.Broadcast;
import pipeline.convnet.kernel.Pooling;
import pipeline.convnet.layer.Activation;
import pipeline.convnet.layer.Arithmetic;
import pipeline.convnet.layer.AvgPool2d;
import pipeline.convnet.layer.BatchNorm2d;
import pipeline.convnet.layer.Concat;
import pipeline.convnet.layer.Constant;
import pipeline.convnet.layer.Conv2d;
import pipeline.convnet.layer.Dropout;
import pipeline.convnet.layer.Flatten;
import pipeline.convnet.layer.GlobalAvgPool;
import pipeline.convnet.layer.Linear;
import pipeline.convnet.layer.LocalResponseNorm;
import pipeline.convnet.layer.MatMul;
import pipeline.convnet.layer.MaxPool2d;
import pipeline.convnet.layer.Op;
import pipeline.convnet.layer.PRelu;
import pipeline.convnet.layer.Pad;
import pipeline.convnet.layer.ReduceMean;
import pipeline.convnet.layer.Reshape;
import pipeline.convnet.layer.Slice;
import pipeline.convnet.layer.Softmax;
import pipeline.convnet.layer.Transpose;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;
import pipeline.onnx.OnnxImporter.Engine;
import pipeline.onnx.proto.Onnx.NodeProto;
import pipeline.onnx.proto.Onnx.TensorProto;

/**
 * ONNX operators as engine nodes, one node of the ONNX graph at a time. Inputs all known at import
 * are folded ({@link Folding}) where the operator is one shape arithmetic uses; otherwise each
 * operator becomes the engine op that computes it, with a known operand as a constant node, or a
 * weight copied into the layer that trains it (Conv, Gemm, MatMul by a fixed matrix, BatchNormalization).
 */
final class Operators {

    /** The operators the importer converts (the shape arithmetic among them folded when its inputs are known). */
    static final Set<String> SUPPORTED = Set.of("Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
            "BatchNormalization", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip", "HardSigmoid", "HardSwish", "Softmax",
            "LogSoftmax", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Concat", "Flatten", "Reshape", "Transpose",
            "Squeeze", "Unsqueeze", "Pad", "Dropout", "Identity", "Constant", "Shape", "Gather", "Cast", "ConstantOfShape",
            "Slice", "Split", "ReduceMean", "PRelu", "LRN");

    private final OnnxImporter importer;
    private final String name;
    private NodeProto node;
    private Attributes attributes;
    private int opset;

    Operators(OnnxImporter importer, String name) {
        this.importer = importer;
        this.name = name;
    }

    /** The values the node outputs, in order: {@link Known} where folded, else {@link Engine}. */
    List<Object> convert(NodeProto node, Attributes attributes, int opset) throws IOException {
        this.node = node;
        this.attributes = attributes;
        this.opset = opset;
        String type = node.getOpType();
        return switch (type) {
            case "Constant" -> List.of(constantValue());
            case "Identity" -> List.of(input(0));
            case "Dropout" -> dropout();
            case "Shape" -> List.of(shape());
            case "Cast" -> List.of(cast());
            case "ConstantOfShape" -> List.of(constantOfShape());
            case "Add", "Sub", "Mul", "Div" -> List.of(arithmetic(Broadcast.Operator.valueOf(type.toUpperCase())));
            case "Concat" -> List.of(concat());
            case "Gather" -> List.of(gather());
            case "Slice" -> List.of(slice());
            case "Reshape" -> List.of(reshape());
            case "Flatten" -> List.of(flatten());
            case "Squeeze", "Unsqueeze" -> List.of(squeeze(type.equals("Unsqueeze")));
            case "Transpose" -> List.of(transpose());
            case "Conv" -> List.of(conv());
            case "MaxPool", "AveragePool" -> List.of(pool(type.equals("MaxPool")));
            case "GlobalAveragePool" -> List.of(globalAverage());
            case "GlobalMaxPool" -> List.of(globalMax());
            case "BatchNormalization" -> List.of(batchNorm());
            case "Relu" -> List.of(unary(new Activation.Relu()));
            case "LeakyRelu" -> List.of(unary(new Activation.LeakyRelu(attributes.real("alpha", 0.01f))));
            case "Sigmoid" -> List.of(unary(new Activation.Sigmoid()));
            case "Tanh" -> List.of(unary(new Activation.Tanh()));
            case "HardSigmoid" -> List.of(unary(new Activation.HardSigmoid(attributes.real("alpha", 0.2f),
                    attributes.real("beta", 0.5f))));
            case "HardSwish" -> List.of(unary(new Activation.HardSwish()));
            case "Clip" -> List.of(clip());
            case "Softmax", "LogSoftmax" -> List.of(softmax(type.equals("LogSoftmax")));
            case "Gemm" -> List.of(gemm());
            case "MatMul" -> List.of(matmul());
            case "Pad" -> List.of(pad());
            case "Split" -> split();
            case "ReduceMean" -> List.of(reduceMean());
            case "PRelu" -> List.of(prelu());
            case "LRN" -> List.of(unary(new LocalResponseNorm((int) attributes.integer("size", 0), attributes.real("alpha", 1e-4f),
                    attributes.real("beta", 0.75f), attributes.real("bias", 1f))));
            default -> throw new IllegalArgumentException("operator " + type + " is not supported");
        };
    }

    // ---- inputs

    private int inputs() {
        return node.getInputCount();
    }

    private boolean present(int i) {
        return i < node.getInputCount() && !node.getInput(i).isEmpty();
    }

    private Object input(int i) {
        if (!present(i)) {
            throw new IllegalArgumentException("input " + i + " is missing");
        }
        return importer.value(node.getInput(i));
    }

    private Known known(int i, String what) {
        if (input(i) instanceof Known k) {
            return k;
        }
        importer.wantFixed(node.getInput(i));
        throw new IllegalArgumentException(what + " (input " + i + ", '" + node.getInput(i) + "') is computed in the graph;"
                + " the engine needs it fixed at import");
    }

    private Engine engine(int i) {
        return engine(input(i), node.getInput(i));
    }

    /** The value on the engine's side: a known one becomes a constant node. */
    private Engine engine(Object value, String onnxName) {
        return value instanceof Engine e ? e : constant(OnnxImporter.sanitise(onnxName), (Known) value);
    }

    Engine constant(String constantName, Known k) {
        Tensor t = new Tensor(k.asFloats("constant '" + constantName + "'"), k.shape());
        return importer.add(constantName, new Constant(t));
    }

    private boolean allKnown() {
        for (int i = 0; i < inputs(); i++) {
            if (present(i) && !(input(i) instanceof Known)) {
                return false;
            }
        }
        return true;
    }

    private Engine unary(Op op) {
        return importer.add(name, op, engine(0));
    }

    // ---- constants and shapes

    private Known constantValue() throws IOException {
        TensorProto t = attributes.tensor("value");
        if (t != null) {
            return Tensors.read(t, null);
        }
        if (attributes.has("value_float")) {
            return Known.floats(new int[0], new double[] {attributes.real("value_float", 0f)});
        }
        if (attributes.has("value_int")) {
            return Known.integers(new int[0], new double[] {attributes.integer("value_int", 0)});
        }
        float[] reals = attributes.reals("value_floats");
        if (reals != null) {
            double[] values = new double[reals.length];
            for (int i = 0; i < reals.length; i++) {
                values[i] = reals[i];
            }
            return Known.floats(new int[] {reals.length}, values);
        }
        long[] ints = attributes.integers("value_ints", null);
        if (ints != null) {
            return Known.integers(new int[] {ints.length}, Arrays.stream(ints).asDoubleStream().toArray());
        }
        throw new IllegalArgumentException("a Constant needs value, value_float(s) or value_int(s)");
    }

    /** Dropout in inference: the identity, and a mask that keeps everything (ones of the input's shape) when asked for. */
    private List<Object> dropout() {
        attributes.has("seed");
        attributes.has("is_test");
        float ratio = present(1) ? (float) known(1, "ratio").values()[0] : attributes.real("ratio", 0.5f);
        if (present(2) && known(2, "training_mode").values()[0] != 0) {
            throw new IllegalArgumentException("training_mode true is not supported");
        }
        Object x = input(0);
        Object y = x instanceof Known ? x : importer.add(name, new Dropout(ratio, 0), (Engine) x);
        if (node.getOutputCount() < 2 || node.getOutput(1).isEmpty()) {
            return List.of(y);
        }
        int[] shape = x instanceof Engine e ? e.one() : ((Known) x).shape();
        if (x instanceof Engine e && !Arrays.equals(e.one(), e.two())) {
            throw new IllegalArgumentException("the mask output of a batch of any size is not supported");
        }
        double[] ones = new double[Shapes.size(shape)];
        Arrays.fill(ones, 1);
        return List.of(y, Known.integers(shape, ones));
    }

    private Known shape() {
        Object x = input(0);
        int[] one = x instanceof Engine e ? e.one() : ((Known) x).shape();
        int[] two = x instanceof Engine e ? e.two() : one;
        int start = (int) attributes.integer("start", 0);
        int end = (int) attributes.integer("end", one.length);
        int[] range = Slice.range(one.length, start, end, 1);
        double[] values = new double[range[1]];
        long[] batch = new long[range[1]];
        for (int i = 0; i < range[1]; i++) {
            int axis = range[0] + i;
            batch[i] = two[axis] - one[axis];
            values[i] = one[axis] - batch[i];
        }
        return new Known(new int[] {range[1]}, values, batch, true);
    }

    private Object cast() {
        TensorProto.DataType to = TensorProto.DataType.forNumber((int) attributes.integer("to", TensorProto.DataType.FLOAT_VALUE));
        if (to == null || to == TensorProto.DataType.STRING || to == TensorProto.DataType.UNDEFINED
                || to == TensorProto.DataType.COMPLEX64 || to == TensorProto.DataType.COMPLEX128) {
            throw new IllegalArgumentException("casting to " + to + " is not supported");
        }
        Object x = input(0);
        if (x instanceof Known k) {
            return Folding.cast(k, to);
        }
        if (to != TensorProto.DataType.FLOAT && to != TensorProto.DataType.DOUBLE) {
            throw new IllegalArgumentException("casting computed values to " + to + " is not supported; the engine computes in float");
        }
        return x;
    }

    private Known constantOfShape() throws IOException {
        long[] shape = known(0, "the shape").asLongs("the shape of ConstantOfShape");
        TensorProto value = attributes.tensor("value");
        Known fill = value == null ? Known.floats(new int[0], new double[] {0}) : Tensors.read(value, null);
        int[] dims = Arrays.stream(shape).mapToInt(Math::toIntExact).toArray();
        double[] values = new double[Shapes.size(dims)];
        Arrays.fill(values, fill.values()[0]);
        return new Known(dims, values, null, fill.integer());
    }

    // ---- arithmetic and joins

    private Object arithmetic(Broadcast.Operator op) {
        if (allKnown()) {
            return Folding.arithmetic(op, known(0, "a"), known(1, "b"));
        }
        return importer.add(name, new Arithmetic(op), engine(0), engine(1));
    }

    private Object concat() {
        int axis = (int) attributes.integer("axis", 0);
        if (allKnown()) {
            List<Known> parts = new ArrayList<>();
            for (int i = 0; i < inputs(); i++) {
                parts.add(known(i, "a part"));
            }
            return Folding.concat(parts, axis);
        }
        Engine[] parts = new Engine[inputs()];
        for (int i = 0; i < inputs(); i++) {
            parts[i] = engine(i);
        }
        return importer.add(name, new Concat(axis), parts);
    }

    private Object gather() {
        return Folding.gather(known(0, "the data"), known(1, "the indices"), (int) attributes.integer("axis", 0));
    }

    private Object slice() {
        long[] starts = opset < 10 ? attributes.integers("starts", null) : known(1, "starts").asLongs("starts");
        long[] ends = opset < 10 ? attributes.integers("ends", null) : known(2, "ends").asLongs("ends");
        long[] axes = opset < 10 ? attributes.integers("axes", null) : present(3) ? known(3, "axes").asLongs("axes") : null;
        long[] steps = opset < 10 || !present(4) ? null : known(4, "steps").asLongs("steps");
        if (input(0) instanceof Known data) {
            return Folding.slice(data, starts, ends, axes, steps);
        }
        return sliced(engine(0), name, starts, ends, axes, steps);
    }

    /** An engine slice of {@code x}; positions beyond an int are clamped (the slice clamps them to the axis anyway). */
    private Engine sliced(Engine x, String sliceName, long[] starts, long[] ends, long[] axes, long[] steps) {
        int n = starts.length;
        int[] a = axes == null ? IntStream.range(0, n).toArray() : clamp(axes);
        int[] s = steps == null ? IntStream.range(0, n).map(i -> 1).toArray() : clamp(steps);
        return importer.add(sliceName, new Slice(clamp(starts), clamp(ends), a, s), x);
    }

    private static int[] clamp(long[] values) {
        return Arrays.stream(values).mapToInt(v -> (int) Math.clamp(v, Integer.MIN_VALUE, Integer.MAX_VALUE)).toArray();
    }

    /** ONNX's Split: one slice per output, of the sizes given or of equal parts. */
    private List<Object> split() {
        Engine x = engine(0);
        int axis = (int) attributes.integer("axis", 0);
        int at = axis < 0 ? axis + x.one().length : axis;
        long[] sizes = opset < 13 ? attributes.integers("split", null) : present(1) ? known(1, "split").asLongs("split") : null;
        int outputs = node.getOutputCount();
        attributes.has("num_outputs");
        if (sizes == null) {
            int size = x.one()[at];
            int part = Math.ceilDiv(size, outputs);
            sizes = IntStream.range(0, outputs).mapToLong(i -> Math.min(part, size - (long) i * part)).toArray();
        }
        List<Object> parts = new ArrayList<>();
        long start = 0;
        for (int i = 0; i < sizes.length; i++) {
            parts.add(sliced(x, name + "." + i, new long[] {start}, new long[] {start + sizes[i]}, new long[] {at}, null));
            start += sizes[i];
        }
        return parts;
    }

    private Engine reduceMean() {
        long[] axes = opset < 18 ? attributes.integers("axes", new long[0]) : present(1) ? known(1, "axes").asLongs("axes") : new long[0];
        if (attributes.integer("noop_with_empty_axes", 0) != 0 && axes.length == 0) {
            return engine(0);
        }
        return unary(new ReduceMean(clamp(axes), attributes.integer("keepdims", 1) != 0));
    }

    /**
     * ONNX's PRelu: a fixed slope becomes the layer's learned one. Before operator set 7 a slope of one value per
     * channel was laid along axis 1; since, it broadcasts as numpy's rules say.
     */
    private Engine prelu() {
        Engine x = engine(0);
        Known slope = known(1, "the slope");
        int[] shape = slope.shape().length == 0 ? new int[] {1} : slope.shape();
        if (opset < 7 && shape.length == 1 && x.one().length > 2 && shape[0] == x.one()[1]) {
            shape = new int[x.one().length - 1];
            Arrays.fill(shape, 1);
            shape[0] = slope.size();
        }
        PRelu prelu = new PRelu(shape);
        copy(slope, prelu.slope().value(), "the slope");
        return importer.add(name, prelu, x);
    }

    // ---- shapes of computed values

    private Object reshape() {
        long[] target = opset < 5 ? attributes.integers("shape", null) : null;
        Known shape = target == null ? known(1, "the shape") : null;
        if (attributes.integer("allowzero", 0) != 0 && shape != null && Arrays.stream(shape.values()).anyMatch(v -> v == 0)) {
            throw new IllegalArgumentException("allowzero with a size of 0 is not supported");
        }
        Object x = input(0);
        int[] one = x instanceof Engine e ? e.one() : ((Known) x).shape();
        int[] two = x instanceof Engine e ? e.two() : one;
        int[] outOne = onnxReshape(one, shape, target, 1);
        int[] outTwo = onnxReshape(two, shape, target, 2);
        if (x instanceof Known k) {
            return Folding.reshape(k, outOne);
        }
        return reshapeTo((Engine) x, outOne, outTwo);
    }

    /** ONNX's Reshape target for an input of shape {@code in} at batch {@code n}: 0 copies the input's size, −1 takes the rest. */
    private static int[] onnxReshape(int[] in, Known shape, long[] attribute, int n) {
        int length = shape != null ? shape.size() : attribute.length;
        int[] out = new int[length];
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < length; i++) {
            long v = shape != null ? (long) shape.values()[i] + shape.batchOf(i) * n : attribute[i];
            if (v == 0) {
                v = in[i];
            }
            if (v == -1) {
                inferred = i;
            } else {
                out[i] = (int) v;
                known *= v;
            }
        }
        if (inferred >= 0) {
            out[inferred] = (int) (Shapes.size(in) / Math.max(1, known));
        }
        if (Shapes.size(out) != Shapes.size(in)) {
            throw new IllegalArgumentException("cannot reshape " + Shapes.toString(in) + " to " + Shapes.toString(out));
        }
        return out;
    }

    /**
     * A reshape of {@code x} to {@code one} at batch 1 and {@code two} at batch 2: sizes that stay are written
     * as they are, one that follows the batch as 0 (keep the input's) where the input's does, else as −1.
     */
    private Engine reshapeTo(Engine x, int[] one, int[] two) {
        int[] target = new int[one.length];
        int free = 0;
        for (int i = 0; i < one.length; i++) {
            if (one[i] == two[i]) {
                target[i] = one[i];
            } else if (i < x.one().length && x.one()[i] == one[i] && x.two()[i] == two[i]) {
                target[i] = 0;
            } else {
                target[i] = -1;
                free++;
            }
        }
        if (free > 1) {
            throw new IllegalArgumentException("a reshape to " + Shapes.toString(one) + " moves the batch into several axes");
        }
        if (Arrays.equals(one, x.one()) && Arrays.equals(two, x.two())) {
            return x;
        }
        return importer.add(name, new Reshape(target), x);
    }

    private Object flatten() {
        int axis = (int) attributes.integer("axis", 1);
        Object x = input(0);
        int[] shape = x instanceof Engine e ? e.one() : ((Known) x).shape();
        int at = axis < 0 ? axis + shape.length : axis;
        int outer = Shapes.size(Arrays.copyOf(shape, at));
        int[] one = {outer, Shapes.size(shape) / Math.max(1, outer)};
        if (x instanceof Known k) {
            return Folding.reshape(k, one);
        }
        Engine e = (Engine) x;
        if (at == 1 && e.one().length >= 2) {
            return importer.add(name, new Flatten(), e);
        }
        int outerTwo = Shapes.size(Arrays.copyOf(e.two(), at));
        return reshapeTo(e, one, new int[] {outerTwo, Shapes.size(e.two()) / Math.max(1, outerTwo)});
    }

    private Object squeeze(boolean unsqueeze) {
        long[] axes = opset < 13 ? attributes.integers("axes", null)
                : present(1) ? known(1, "axes").asLongs("axes") : null;
        Object x = input(0);
        int[] one = x instanceof Engine e ? e.one() : ((Known) x).shape();
        int[] two = x instanceof Engine e ? e.two() : one;
        int[] outOne = unsqueeze ? inserted(one, axes) : squeezed(one, axes);
        int[] outTwo = unsqueeze ? inserted(two, axes) : squeezed(two, axes);
        if (x instanceof Known k) {
            return Folding.reshape(k, outOne);
        }
        return reshapeTo((Engine) x, outOne, outTwo);
    }

    private static int[] inserted(int[] shape, long[] axes) {
        if (axes == null) {
            throw new IllegalArgumentException("Unsqueeze needs axes");
        }
        int rank = shape.length + axes.length;
        boolean[] added = new boolean[rank];
        for (long a : axes) {
            int at = (int) (a < 0 ? a + rank : a);
            if (at < 0 || at >= rank || added[at]) {
                throw new IllegalArgumentException("axes " + Arrays.toString(axes) + " do not fit a result of rank " + rank);
            }
            added[at] = true;
        }
        int[] out = new int[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            out[i] = added[i] ? 1 : shape[j++];
        }
        return out;
    }

    private static int[] squeezed(int[] shape, long[] axes) {
        boolean[] drop = new boolean[shape.length];
        if (axes == null) {
            for (int i = 0; i < shape.length; i++) {
                drop[i] = shape[i] == 1;
            }
        } else {
            for (long a : axes) {
                int at = (int) (a < 0 ? a + shape.length : a);
                if (at < 0 || at >= shape.length || shape[at] != 1) {
                    throw new IllegalArgumentException("cannot squeeze axis " + a + " of " + Shapes.toString(shape));
                }
                drop[at] = true;
            }
        }
        return IntStream.range(0, shape.length).filter(i -> !drop[i]).map(i -> shape[i]).toArray();
    }

    private Object transpose() {
        Object x = input(0);
        int rank = x instanceof Engine e ? e.one().length : ((Known) x).shape().length;
        long[] perm = attributes.integers("perm", null);
        int[] p = perm == null ? IntStream.range(0, rank).map(i -> rank - 1 - i).toArray()
                : Arrays.stream(perm).mapToInt(Math::toIntExact).toArray();
        if (x instanceof Known k) {
            return Folding.transpose(k, p);
        }
        return importer.add(name, new Transpose(p), (Engine) x);
    }

    // ---- layers with weights

    /**
     * A convolution; one over a line ({@code [N, C, L]}, weight {@code [OC, C/G, K]}) runs as one over an image of
     * height 1. Asymmetric padding becomes a pad node before it.
     */
    private Engine conv() {
        Engine x = engine(0);
        Known w = known(1, "the weight");
        boolean line = w.shape().length == 3 && x.one().length == 3;
        if (!line && (w.shape().length != 4 || x.one().length != 4)) {
            throw new IllegalArgumentException("only 1-d and 2-d convolutions are supported; the weight is "
                    + Shapes.toString(w.shape()));
        }
        if (line) {
            x = lift(x);
            w = Folding.reshape(w, new int[] {w.shape()[0], w.shape()[1], 1, w.shape()[2]});
        }
        int groups = (int) attributes.integer("group", 1);
        Window window = window(x, new int[] {w.shape()[2], w.shape()[3]}, line);
        int[] kernel = window.kernel();
        if (kernel[0] != w.shape()[2] || kernel[1] != w.shape()[3]) {
            throw new IllegalArgumentException("kernel_shape " + Arrays.toString(kernel) + " differs from the weight's "
                    + Shapes.toString(w.shape()));
        }
        int[] pads = window.pads();
        Engine in = x;
        int top = Math.min(pads[0], pads[2]);
        int left = Math.min(pads[1], pads[3]);
        if (pads[0] != pads[2] || pads[1] != pads[3]) {
            in = importer.add(name + ".pad", new Pad(new int[] {0, 0, pads[0] - top, pads[1] - left,
                    0, 0, pads[2] - top, pads[3] - left}, 0f), x);
        }
        boolean bias = present(2);
        Conv2d conv = new Conv2d(x.one()[1], w.shape()[0], kernel[0], kernel[1], window.strides()[0], window.strides()[1],
                top, left, window.dilations()[0], window.dilations()[1], groups, bias);
        copy(w, conv.weight().value(), "the weight");
        if (bias) {
            copy(known(2, "the bias"), conv.bias().value(), "the bias");
        }
        Engine y = importer.add(name, conv, in);
        return line ? lower(y) : y;
    }

    /** {@code [N, C, L]} as an image of height 1, {@code [N, C, 1, L]}. */
    private Engine lift(Engine x) {
        return importer.add(name + ".lifted", new Reshape(0, 0, 1, -1), x);
    }

    /** {@code [N, C, 1, L]} back to {@code [N, C, L]}. */
    private Engine lower(Engine y) {
        return importer.add(name + ".lowered", new Reshape(0, 0, -1), y);
    }

    /** A window's geometry on the two axes of an image: kernel, strides, dilations, and pads {@code [top, left, bottom, right]}. */
    private record Window(int[] kernel, int[] strides, int[] dilations, int[] pads) {}

    /**
     * The window the node's attributes describe over {@code x} ({@code [N, C, H, W]}); for a {@code line} (lifted
     * to height 1) the attributes give the width's values alone.
     */
    private Window window(Engine x, int[] kernelFallback, boolean line) {
        int[] kernel = lifted(attributes.integers("kernel_shape", null), line, 1, kernelFallback);
        int[] strides = lifted(attributes.integers("strides", null), line, 1, new int[] {1, 1});
        int[] dilations = lifted(attributes.integers("dilations", null), line, 1, new int[] {1, 1});
        String auto = attributes.text("auto_pad", "NOTSET");
        long[] given = attributes.integers("pads", null);
        int[] pads = switch (auto) {
            case "NOTSET" -> given == null ? new int[4] : line ? new int[] {0, (int) given[0], 0, (int) given[1]} : ints(given, null);
            case "VALID" -> new int[4];
            case "SAME_UPPER", "SAME_LOWER" -> {
                int[] same = new int[4];
                for (int axis = 0; axis < 2; axis++) {
                    int size = x.one()[axis + 2];
                    int out = Math.ceilDiv(size, strides[axis]);
                    int total = Math.max(0, (out - 1) * strides[axis] + dilations[axis] * (kernel[axis] - 1) + 1 - size);
                    same[axis] = auto.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                    same[axis + 2] = total - same[axis];
                }
                yield same;
            }
            default -> throw new IllegalArgumentException("auto_pad " + auto + " is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
        };
        return new Window(kernel, strides, dilations, pads);
    }

    /** An attribute's two values, or for a line {@code first} then its one value; {@code fallback} when absent. */
    private static int[] lifted(long[] values, boolean line, int first, int[] fallback) {
        if (values == null) {
            if (fallback == null) {
                throw new IllegalArgumentException("a required attribute is missing");
            }
            return fallback;
        }
        return line ? new int[] {first, Math.toIntExact(values[0])} : ints(values, null);
    }

    private Engine pool(boolean max) {
        Engine x = engine(0);
        boolean line = x.one().length == 3;
        if (!line && x.one().length != 4) {
            throw new IllegalArgumentException("only 1-d and 2-d pooling is supported; the input is " + Shapes.toString(x.one()));
        }
        if (node.getOutputCount() > 1 && !node.getOutput(1).isEmpty()) {
            throw new IllegalArgumentException("the Indices output is not supported");
        }
        Engine in = line ? lift(x) : x;
        Window window = window(in, null, line);
        boolean ceil = attributes.integer("ceil_mode", 0) != 0;
        if (max && attributes.integer("storage_order", 0) != 0) {
            throw new IllegalArgumentException("storage_order 1 is not supported");
        }
        int[] pads = window.pads();
        Pooling.Slide rows = new Pooling.Slide(window.kernel()[0], window.strides()[0], window.dilations()[0], pads[0], pads[2]);
        Pooling.Slide cols = new Pooling.Slide(window.kernel()[1], window.strides()[1], window.dilations()[1], pads[1], pads[3]);
        Op op = max ? new MaxPool2d(rows, cols, ceil)
                : new AvgPool2d(rows, cols, ceil, attributes.integer("count_include_pad", 0) != 0);
        Engine y = importer.add(name, op, in);
        return line ? lower(y) : y;
    }

    private Engine globalAverage() {
        Engine pooled = importer.add(name, new GlobalAvgPool(), engine(0));
        return importer.add(name + ".keepdims", new Reshape(0, 0, 1, 1), pooled);
    }

    private Engine globalMax() {
        Engine x = engine(0);
        if (x.one().length != 4) {
            throw new IllegalArgumentException("only 2-d pooling is supported; the input is " + Shapes.toString(x.one()));
        }
        return importer.add(name, new MaxPool2d(Pooling.Slide.of(x.one()[2], 1, 0), Pooling.Slide.of(x.one()[3], 1, 0), false), x);
    }

    private Engine batchNorm() {
        if (node.getOutputCount() > 1) {
            throw new IllegalArgumentException("the running-statistics outputs (training mode) are not supported");
        }
        if (attributes.integer("training_mode", 0) != 0) {
            throw new IllegalArgumentException("training_mode 1 is not supported");
        }
        if (attributes.integer("spatial", 1) != 1) {
            throw new IllegalArgumentException("spatial 0 is not supported");
        }
        attributes.has("is_test");
        Engine x = engine(0);
        int channels = x.one()[1];
        BatchNorm2d bn = new BatchNorm2d(channels, attributes.real("epsilon", 1e-5f), 1f - attributes.real("momentum", 0.9f));
        copy(known(1, "the scale"), bn.gamma().value(), "the scale");
        copy(known(2, "the bias"), bn.beta().value(), "the bias");
        System.arraycopy(known(3, "the mean").asFloats("the mean"), 0, bn.runningMean(), 0, channels);
        System.arraycopy(known(4, "the variance").asFloats("the variance"), 0, bn.runningVar(), 0, channels);
        if (x.one().length == 4) {
            return importer.add(name, bn, x);
        }
        Engine planes = importer.add(name + ".planes", new Reshape(0, 0, -1, 1), x);
        return reshapeTo(importer.add(name, bn, planes), x.one(), x.two());
    }

    private Engine clip() {
        float low;
        float high;
        if (opset < 11) {
            low = attributes.real("min", Float.NEGATIVE_INFINITY);
            high = attributes.real("max", Float.POSITIVE_INFINITY);
        } else {
            low = present(1) ? (float) known(1, "min").values()[0] : Float.NEGATIVE_INFINITY;
            high = present(2) ? (float) known(2, "max").values()[0] : Float.POSITIVE_INFINITY;
        }
        Op op = low == 0f && high == 6f ? new Activation.Relu6()
                : low == 0f && high == Float.POSITIVE_INFINITY ? new Activation.Relu() : new Activation.Clip(low, high);
        return unary(op);
    }

    private Engine softmax(boolean log) {
        Engine x = engine(0);
        int rank = x.one().length;
        long axis = attributes.integer("axis", opset < 13 ? 1 : -1);
        int at = (int) (axis < 0 ? axis + rank : axis);
        if (opset >= 13 || at == rank - 1) {
            return importer.add(name, new Softmax(at, log), x);
        }
        // Before opset 13: over all axes from `axis` on, as one.
        int outerOne = Shapes.size(Arrays.copyOf(x.one(), at));
        int outerTwo = Shapes.size(Arrays.copyOf(x.two(), at));
        Engine rows = reshapeTo(x, new int[] {outerOne, Shapes.size(x.one()) / outerOne},
                new int[] {outerTwo, Shapes.size(x.two()) / outerTwo});
        return reshapeTo(importer.add(name, new Softmax(1, log), rows), x.one(), x.two());
    }

    /** {@code alpha·A'·B' + beta·C}: a linear layer when B is a fixed matrix, else a product of computed values. */
    private Engine gemm() {
        float alpha = attributes.real("alpha", 1f);
        float beta = attributes.real("beta", 1f);
        boolean transA = attributes.integer("transA", 0) != 0;
        boolean transB = attributes.integer("transB", 0) != 0;
        attributes.has("broadcast");
        Engine a = engine(0);
        if (input(1) instanceof Known b && !transA && a.one().length == 2) {
            int k = transB ? b.shape()[1] : b.shape()[0];
            int n = transB ? b.shape()[0] : b.shape()[1];
            Known c = present(2) && input(2) instanceof Known known ? known : null;
            boolean rowBias = c != null && c.size() == n && (c.shape().length < 2 || c.shape()[0] == 1);
            boolean scalarBias = c != null && c.size() == 1;
            Linear linear = new Linear(k, n, rowBias || scalarBias);
            float[] weight = linear.weight().value().data();
            for (int o = 0; o < n; o++) {
                for (int i = 0; i < k; i++) {
                    weight[o * k + i] = alpha * (float) b.values()[transB ? o * k + i : i * n + o];
                }
            }
            if (rowBias || scalarBias) {
                float[] bias = linear.bias().value().data();
                for (int o = 0; o < n; o++) {
                    bias[o] = beta * (float) c.values()[scalarBias ? 0 : o];
                }
            }
            Engine y = importer.add(name, linear, a);
            return c == null || rowBias || scalarBias || !present(2) ? y : addScaled(y, 2, beta);
        }
        Engine left = transA ? importer.add(name + ".a", new Transpose(1, 0), a) : a;
        Engine b = engine(1);
        Engine right = transB ? importer.add(name + ".b", new Transpose(1, 0), b) : b;
        Engine y = importer.add(name, new MatMul(), left, right);
        if (alpha != 1f) {
            y = importer.add(name + ".alpha", new Arithmetic(Broadcast.Operator.MUL), y,
                    constant(name + ".alpha.value", Known.floats(new int[0], new double[] {alpha})));
        }
        return present(2) ? addScaled(y, 2, beta) : y;
    }

    /** {@code y + beta·input(i)}. */
    private Engine addScaled(Engine y, int i, float beta) {
        Engine c = engine(i);
        if (beta != 1f) {
            c = importer.add(name + ".beta", new Arithmetic(Broadcast.Operator.MUL), c,
                    constant(name + ".beta.value", Known.floats(new int[0], new double[] {beta})));
        }
        return importer.add(name + ".c", new Arithmetic(Broadcast.Operator.ADD), y, c);
    }

    /** A product by a fixed matrix is a linear layer (it trains); any other product is computed as it is. */
    private Object matmul() {
        if (allKnown()) {
            throw new IllegalArgumentException("a product of two constants is not supported");
        }
        Engine a = engine(0);
        if (input(1) instanceof Known b && b.shape().length == 2 && a.one().length == 2) {
            int k = b.shape()[0];
            int n = b.shape()[1];
            Linear linear = new Linear(k, n, false);
            float[] weight = linear.weight().value().data();
            for (int o = 0; o < n; o++) {
                for (int i = 0; i < k; i++) {
                    weight[o * k + i] = (float) b.values()[i * n + o];
                }
            }
            return importer.add(name, linear, a);
        }
        return importer.add(name, new MatMul(), a, engine(1));
    }

    private Engine pad() {
        String mode = attributes.text("mode", "constant");
        if (!mode.equals("constant")) {
            throw new IllegalArgumentException("mode " + mode + " is not supported; only constant padding is");
        }
        long[] pads = opset < 11 ? attributes.integers("pads", null) : known(1, "pads").asLongs("pads");
        float value = opset < 11 ? attributes.real("value", 0f) : present(2) ? (float) known(2, "the value").values()[0] : 0f;
        if (present(3)) {
            throw new IllegalArgumentException("the axes input is not supported");
        }
        if (Arrays.stream(pads).anyMatch(p -> p < 0)) {
            throw new IllegalArgumentException("negative pads (cropping) are not supported");
        }
        return importer.add(name, new Pad(Arrays.stream(pads).mapToInt(Math::toIntExact).toArray(), value), engine(0));
    }

    // ---- helpers

    private static int[] ints(long[] values, int[] fallback) {
        if (values == null) {
            if (fallback == null) {
                throw new IllegalArgumentException("a required attribute is missing");
            }
            return fallback;
        }
        return Arrays.stream(values).mapToInt(Math::toIntExact).toArray();
    }

    private static void copy(Known from, Tensor to, String what) {
        if (from.size() != to.size()) {
            throw new IllegalArgumentException(what + " has " + from.size() + " values where " + to.size() + " are needed "
                    + Shapes.toString(to.shape()));
        }
        float[] values = from.asFloats(what);
        System.arraycopy(values, 0, to.data(), 0, values.length);
    }
}
