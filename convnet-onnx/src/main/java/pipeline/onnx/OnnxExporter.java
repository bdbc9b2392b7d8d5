package pipeline.onnx;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
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
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.net.Graph;
import pipeline.convnet.net.Network;
import pipeline.convnet.tensor.Tensor;
import pipeline.onnx.proto.Onnx.AttributeProto;
import pipeline.onnx.proto.Onnx.GraphProto;
import pipeline.onnx.proto.Onnx.ModelProto;
import pipeline.onnx.proto.Onnx.NodeProto;
import pipeline.onnx.proto.Onnx.OperatorSetIdProto;
import pipeline.onnx.proto.Onnx.StringStringEntryProto;
import pipeline.onnx.proto.Onnx.TensorProto;
import pipeline.onnx.proto.Onnx.TensorShapeProto;
import pipeline.onnx.proto.Onnx.TypeProto;
import pipeline.onnx.proto.Onnx.ValueInfoProto;

/**
 * An engine model written as ONNX (operator set {@link #OPSET}): input {@code input [batch, C, H, W]},
 * output {@code logits [batch, K]}, every layer as the ONNX operator that computes it, weights as
 * initializers named by the engine's tensor names ({@code layer1.weight}), and the class names and
 * normalisation in the metadata ({@code classes}: one per line; {@code normalisation.mean},
 * {@code normalisation.std}: comma-separated; {@code resize}: {@code stretch} or {@code centre-crop:F}). A network fused for inference is written as well: its
 * fused activations become the activation nodes after the convolution or sum.
 */
public final class OnnxExporter {

    public static final int OPSET = 17;

    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("convnet");

    private OnnxExporter() {
    }

    /** Writes {@code model} to {@code file} as ONNX. */
    public static void write(ModelFile model, Path file) throws IOException {
        Files.write(file, toModel(model).toByteArray());
    }

    /**
     * The model as an ONNX {@code ModelProto}.
     *
     * @throws IllegalArgumentException naming a layer ONNX has no operator for here
     */
    public static ModelProto toModel(ModelFile model) {
        Network network = model.network();
        OnnxExporter exporter = new OnnxExporter();
        Graph g = network.graph();
        String[] names = new String[g.values()];
        names[g.inputs()[0]] = "input";
        names[network.logitsValue()] = "logits";
        for (Graph.Node node : g.nodes()) {
            for (int out : node.outputs()) {
                if (names[out] == null) {
                    names[out] = node.name();
                }
            }
        }
        for (Graph.Node node : g.nodes()) {
            List<String> in = Arrays.stream(node.inputs()).mapToObj(v -> names[v]).toList();
            exporter.node(node.name(), node.op(), in, names[node.outputs()[0]]);
        }
        int[] input = network.input();
        exporter.graph.addInput(valueInfo("input", "batch", input[0], input[1], input[2]));
        exporter.graph.addOutput(valueInfo("logits", "batch", network.classes()));
        ModelProto.Builder proto = ModelProto.newBuilder().setIrVersion(8).setProducerName("convnet")
                .setModelVersion(model.info().version()).setGraph(exporter.graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET));
        proto.addMetadataProps(entry("name", model.info().name()));
        proto.addMetadataProps(entry("classes", String.join("\n", model.classNames())));
        proto.addMetadataProps(entry("normalisation.mean", floats(model.normalisation().mean())));
        proto.addMetadataProps(entry("normalisation.std", floats(model.normalisation().std())));
        proto.addMetadataProps(entry("resize", model.resize().text()));
        return proto.build();
    }

    /** The ONNX nodes of one engine node reading {@code in} and writing {@code out}. */
    private void node(String name, Op op, List<String> in, String out) {
        switch (op) {
            case Conv2d c -> {
                List<String> inputs = new ArrayList<>(List.of(in.getFirst(), initializer(name + ".weight", c.weight().value())));
                if (c.bias() != null) {
                    inputs.add(initializer(name + ".bias", c.bias().value()));
                }
                int[] p = c.padding();
                boolean fused = c.fusedCap() != 0f;
                NodeProto.Builder conv = node("Conv", name, inputs, fused ? name + ".conv" : out)
                        .addAttribute(ints("kernel_shape", c.kernel())).addAttribute(ints("strides", c.stride()))
                        .addAttribute(ints("pads", p[0], p[1], p[0], p[1])).addAttribute(ints("dilations", c.dilation()))
                        .addAttribute(integer("group", c.groups()));
                graph.addNode(conv);
                if (fused) {
                    node(name + ".activation", c.fusedCap() == Float.POSITIVE_INFINITY ? new Activation.Relu()
                            : new Activation.Clip(0f, c.fusedCap()), List.of(name + ".conv"), out);
                }
            }
            case BatchNorm2d b -> graph.addNode(node("BatchNormalization", name, List.of(in.getFirst(),
                    initializer(name + ".gamma", b.gamma().value()), initializer(name + ".beta", b.beta().value()),
                    initializer(name + ".runningMean", new Tensor(b.runningMean(), b.runningMean().length)),
                    initializer(name + ".runningVar", new Tensor(b.runningVar(), b.runningVar().length))), out)
                    .addAttribute(real("epsilon", b.eps())).addAttribute(real("momentum", 1f - b.momentum())));
            case Linear l -> {
                List<String> inputs = new ArrayList<>(List.of(in.getFirst(), initializer(name + ".weight", l.weight().value())));
                if (l.bias() != null) {
                    inputs.add(initializer(name + ".bias", l.bias().value()));
                }
                graph.addNode(node("Gemm", name, inputs, out).addAttribute(integer("transB", 1)));
            }
            case MaxPool2d p -> graph.addNode(pool("MaxPool", name, p.rows(), p.cols(), p.ceil(), in, out));
            case AvgPool2d p -> {
                if (p.rows().dilation() * p.cols().dilation() != 1) {
                    throw new IllegalArgumentException(name + " (" + p.describe() + "): ONNX's AveragePool has no dilation before"
                            + " operator set 19");
                }
                graph.addNode(pool("AveragePool", name, p.rows(), p.cols(), p.ceil(), in, out)
                        .addAttribute(integer("count_include_pad", p.countPadding() ? 1 : 0)));
            }
            case GlobalAvgPool g -> {
                graph.addNode(node("GlobalAveragePool", name, in, name + ".pooled"));
                graph.addNode(node("Flatten", name + ".flatten", List.of(name + ".pooled"), out));
            }
            case Flatten f -> graph.addNode(node("Flatten", name, in, out));
            case Dropout d -> graph.addNode(node("Identity", name, in, out));
            case Reshape r -> graph.addNode(node("Reshape", name, List.of(in.getFirst(), longs(name + ".shape", r.target())), out));
            case Transpose t -> graph.addNode(node("Transpose", name, in, out).addAttribute(ints("perm", t.perm())));
            case Pad p -> graph.addNode(node("Pad", name, List.of(in.getFirst(), longs(name + ".pads", p.pads()),
                    scalar(name + ".value", p.value())), out));
            case Softmax s -> graph.addNode(node(s.log() ? "LogSoftmax" : "Softmax", name, in, out)
                    .addAttribute(integer("axis", s.axis())));
            case Concat c -> graph.addNode(node("Concat", name, in, out).addAttribute(integer("axis", c.axis())));
            case ReduceMean r -> {
                NodeProto.Builder mean = node("ReduceMean", name, in, out).addAttribute(integer("keepdims", r.keepDims() ? 1 : 0));
                graph.addNode(r.axes().length == 0 ? mean : mean.addAttribute(ints("axes", r.axes())));
            }
            case Slice s -> graph.addNode(node("Slice", name, List.of(in.getFirst(), longs(name + ".starts", s.starts()),
                    longs(name + ".ends", s.ends()), longs(name + ".axes", s.axes()), longs(name + ".steps", s.steps())), out));
            case PRelu p -> graph.addNode(node("PRelu", name, List.of(in.getFirst(), initializer(name + ".slope", p.slope().value())),
                    out));
            case LocalResponseNorm l -> graph.addNode(node("LRN", name, in, out).addAttribute(integer("size", l.size()))
                    .addAttribute(real("alpha", l.alpha())).addAttribute(real("beta", l.beta())).addAttribute(real("bias", l.bias())));
            case MatMul m -> graph.addNode(node("MatMul", name, in, out));
            case Arithmetic a -> {
                String type = switch (a.operator()) {
                    case ADD -> "Add";
                    case SUB -> "Sub";
                    case MUL -> "Mul";
                    case DIV -> "Div";
                };
                graph.addNode(node(type, name, in, a.fusedRelu() ? name + ".sum" : out));
                if (a.fusedRelu()) {
                    graph.addNode(node("Relu", name + ".relu", List.of(name + ".sum"), out));
                }
            }
            case Constant c -> graph.addNode(node("Identity", name, List.of(initializer(name + ".value", c.value())), out));
            case Activation.Relu r -> graph.addNode(node("Relu", name, in, out));
            case Activation.Relu6 r -> graph.addNode(node("Clip", name, List.of(in.getFirst(), scalar(name + ".min", 0f),
                    scalar(name + ".max", 6f)), out));
            case Activation.Clip c -> graph.addNode(node("Clip", name, List.of(in.getFirst(), scalar(name + ".min", c.low()),
                    scalar(name + ".max", c.high())), out));
            case Activation.LeakyRelu r -> graph.addNode(node("LeakyRelu", name, in, out).addAttribute(real("alpha", r.slope())));
            case Activation.Sigmoid s -> graph.addNode(node("Sigmoid", name, in, out));
            case Activation.Tanh t -> graph.addNode(node("Tanh", name, in, out));
            case Activation.HardSigmoid h -> graph.addNode(node("HardSigmoid", name, in, out)
                    .addAttribute(real("alpha", h.alpha())).addAttribute(real("beta", h.beta())));
            case Activation.HardSwish h -> graph.addNode(node("HardSwish", name, in, out));
            default -> throw new IllegalArgumentException(name + " (" + op.describe() + ") has no ONNX form here");
        }
    }

    private NodeProto.Builder pool(String type, String name, Pooling.Slide rows, Pooling.Slide cols, boolean ceil,
                                   List<String> in, String out) {
        NodeProto.Builder pool = node(type, name, in, out)
                .addAttribute(ints("kernel_shape", rows.kernel(), cols.kernel()))
                .addAttribute(ints("strides", rows.stride(), cols.stride()))
                .addAttribute(ints("pads", rows.padBefore(), cols.padBefore(), rows.padAfter(), cols.padAfter()))
                .addAttribute(integer("ceil_mode", ceil ? 1 : 0));
        if (type.equals("MaxPool")) {
            pool.addAttribute(ints("dilations", rows.dilation(), cols.dilation()));
        }
        return pool;
    }

    private static NodeProto.Builder node(String type, String name, List<String> in, String out) {
        return NodeProto.newBuilder().setOpType(type).setName(name).addAllInput(in).addOutput(out);
    }

    /** A float initializer of the tensor's values; returns its name. */
    private String initializer(String name, Tensor t) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * t.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < t.size(); i++) {
            bytes.putFloat(t.data()[i]);
        }
        graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addAllDims(Arrays.stream(t.shape()).mapToObj(Long::valueOf).toList())
                .setRawData(ByteString.copyFrom(bytes.array())));
        return name;
    }

    private String scalar(String name, float value) {
        return initializer(name, new Tensor(new float[] {value}));
    }

    private String longs(String name, int[] values) {
        graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(values.length).addAllInt64Data(Arrays.stream(values).mapToObj(Long::valueOf).toList()));
        return name;
    }

    private static AttributeProto ints(String name, int... values) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS)
                .addAllInts(Arrays.stream(values).mapToObj(Long::valueOf).toList()).build();
    }

    private static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static AttributeProto real(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    /** A tensor type {@code [batch, dims…]} with the batch named, so any batch size runs. */
    private static ValueInfoProto valueInfo(String name, String batch, int... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(batch));
        for (int d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static String floats(float[] values) {
        List<String> parts = new ArrayList<>();
        for (float v : values) {
            parts.add(Float.toString(v));
        }
        return parts.stream().collect(Collectors.joining(","));
    }
}
