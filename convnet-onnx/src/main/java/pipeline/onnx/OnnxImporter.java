package pipeline.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import pipeline.convnet.layer.Op;
import pipeline.convnet.net.Graph;
import pipeline.onnx.proto.Onnx.ModelProto;
import pipeline.onnx.proto.Onnx.NodeProto;
import pipeline.onnx.proto.Onnx.OperatorSetIdProto;
import pipeline.onnx.proto.Onnx.TensorProto;
import pipeline.onnx.proto.Onnx.TensorShapeProto;
import pipeline.onnx.proto.Onnx.ValueInfoProto;

/**
 * Reads an ONNX model into an engine {@link Graph}. Every node becomes engine nodes ({@link Operators}),
 * except those whose inputs are all known at import (initializers, constants, shapes): those are
 * computed there and then ({@link Folding}), so the arithmetic exporters emit on shapes
 * ({@code x.view(x.size(0), -1)}) leaves no trace. The batch size stays free: values are tracked at
 * batch 1 and batch 2, and a shape that differs between the two depends on it.
 *
 * <p>A model that uses an operator, attribute or form the engine does not have is refused with every
 * such use named, node by node; nothing is imported half-way.
 */
public final class OnnxImporter {

    /** The default ONNX domain's operator sets this importer reads. */
    public static final int OLDEST_OPSET = 1;
    public static final int NEWEST_OPSET = 17;

    /**
     * What an import gives.
     *
     * @param graph    the engine graph; its inputs and outputs in the ONNX graph's order
     * @param inputs      the ONNX names of the graph's inputs (initializers and given values excluded)
     * @param inputShapes their shapes, at batch 1 where the batch is free
     * @param outputs     the ONNX names of its outputs
     * @param opset    the default domain's operator set version
     * @param metadata the model's metadata properties
     */
    public record Imported(Graph graph, List<String> inputs, List<int[]> inputShapes, List<String> outputs, int opset,
                           Map<String, String> metadata) {}

    /** A value on the engine's side: graph value {@code id}, its shape at batch 1 ({@code one}) and at batch 2 ({@code two}). */
    record Engine(int id, int[] one, int[] two) {}

    private final Path dir;
    private final int opset;
    private final boolean freeBatch;
    final Graph.Builder graph = new Graph.Builder();
    /** By ONNX name: a {@link Known} or an {@link Engine}. */
    final Map<String, Object> values = new HashMap<>();
    private final Map<String, Integer> nameUses = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final Set<String> graphInputs = new HashSet<>();
    private final Set<String> wantedFixed = new LinkedHashSet<>();

    private OnnxImporter(Path dir, int opset, boolean freeBatch) {
        this.dir = dir;
        this.opset = opset;
        this.freeBatch = freeBatch;
    }

    /**
     * Parses an ONNX file.
     *
     * @throws IOException naming the file when it is missing, not ONNX, or truncated
     */
    public static ModelProto parse(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " does not exist or is not a file");
        }
        ModelProto model;
        try {
            model = ModelProto.parseFrom(Files.readAllBytes(file));
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(file + " is not an ONNX model (or is truncated): " + e.getMessage(), e);
        }
        if (!model.hasGraph() || model.getOpsetImportCount() == 0) {
            throw new IOException(file + " is not an ONNX model: it has no " + (model.hasGraph() ? "operator set" : "graph"));
        }
        return model;
    }

    /**
     * Imports the model in {@code file}.
     *
     * @param freeBatch whether axis 0 of the inputs is a batch of any size (a classifier), rather than the size the file gives
     * @throws IOException                 when the file cannot be read as ONNX
     * @throws UnsupportedModelException when the model uses what the engine does not have, naming every such use
     */
    public static Imported importModel(Path file, boolean freeBatch) throws IOException {
        return importModel(file, freeBatch, Map.of());
    }

    /** As {@link #importModel(Path, boolean)}, with the values of some inputs given (integer inputs of test cases). */
    static Imported importModel(Path file, boolean freeBatch, Map<String, Known> given) throws IOException {
        return importModel(parse(file), file, freeBatch, given);
    }

    /** As {@link #importModel(Path, boolean, Map)}, for a model already parsed from {@code file}. */
    static Imported importModel(ModelProto model, Path file, boolean freeBatch, Map<String, Known> given) throws IOException {
        int opset = defaultOpset(model, file);
        OnnxImporter importer = new OnnxImporter(file.toAbsolutePath().getParent(), opset, freeBatch);
        return importer.run(model, given, file);
    }

    private static int defaultOpset(ModelProto model, Path file) {
        for (OperatorSetIdProto set : model.getOpsetImportList()) {
            if (set.getDomain().isEmpty() || set.getDomain().equals("ai.onnx")) {
                int version = (int) set.getVersion();
                if (version < OLDEST_OPSET || version > NEWEST_OPSET) {
                    throw new UnsupportedModelException(file + " uses ONNX operator set " + version + "; the importer reads "
                            + OLDEST_OPSET + " to " + NEWEST_OPSET, List.of());
                }
                return version;
            }
        }
        throw new UnsupportedModelException(file + " imports no operator set of the default ONNX domain", List.of());
    }

    private Imported run(ModelProto model, Map<String, Known> given, Path file) throws IOException {
        var g = model.getGraph();
        for (TensorProto t : g.getInitializerList()) {
            values.put(t.getName(), Tensors.read(t, dir));
        }
        List<String> inputs = new ArrayList<>();
        List<int[]> inputShapes = new ArrayList<>();
        for (ValueInfoProto input : g.getInputList()) {
            if (values.containsKey(input.getName())) {
                continue;
            }
            if (given.containsKey(input.getName())) {
                values.put(input.getName(), given.get(input.getName()));
                continue;
            }
            input(input).ifPresent(shapes -> {
                int id = graph.input(unique(sanitise(input.getName())));
                values.put(input.getName(), new Engine(id, shapes[0], shapes[1]));
                inputs.add(input.getName());
                inputShapes.add(shapes[0]);
                graphInputs.add(input.getName());
            });
        }
        Set<String> unknownOperators = new TreeSet<>();
        for (int n = 0; n < g.getNodeCount(); n++) {
            NodeProto node = g.getNode(n);
            String where = "node " + (node.getName().isEmpty() ? "#" + n : "'" + node.getName() + "'") + " (" + node.getOpType() + ")";
            if (!node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx")) {
                problems.add(where + ": operator domain '" + node.getDomain() + "' is not ONNX's default domain");
                unknownOperators.add(node.getDomain() + "." + node.getOpType());
            } else if (!Operators.SUPPORTED.contains(node.getOpType())) {
                problems.add(where + ": operator " + node.getOpType() + " is not supported");
                unknownOperators.add(node.getOpType());
            } else if (node.getInputList().stream().allMatch(in -> in.isEmpty() || values.containsKey(in))) {
                convert(node, n, where);
            }
        }
        List<String> outputs = new ArrayList<>();
        int[] outputIds = new int[g.getOutputCount()];
        for (int i = 0; i < g.getOutputCount(); i++) {
            String name = g.getOutput(i).getName();
            outputs.add(name);
            Object value = values.get(name);
            if (value instanceof Known known) {
                value = new Operators(this, "output").constant(sanitise(name), known);
            }
            if (value instanceof Engine e) {
                outputIds[i] = e.id();
            } else if (problems.isEmpty()) {
                problems.add("graph output '" + name + "' is not computed by any node");
            }
        }
        if (!problems.isEmpty()) {
            throw new UnsupportedModelException(file + " uses what the engine does not support"
                    + (unknownOperators.isEmpty() ? "" : " (operators " + unknownOperators + ")"), problems,
                    List.copyOf(wantedFixed));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        model.getMetadataPropsList().forEach(p -> metadata.put(p.getKey(), p.getValue()));
        return new Imported(graph.build(outputIds), inputs, inputShapes, outputs, opset, metadata);
    }

    /** The shapes of a float input at batch 1 and 2, or empty (with a problem recorded) when it is not one the engine takes. */
    private Optional<int[][]> input(ValueInfoProto input) {
        if (!input.getType().hasTensorType()) {
            problems.add("input '" + input.getName() + "' is not a tensor (a sequence, map or optional); the engine takes tensors");
            return Optional.empty();
        }
        var type = input.getType().getTensorType();
        if (type.getElemType() != TensorProto.DataType.FLOAT_VALUE) {
            problems.add("input '" + input.getName() + "' holds " + TensorProto.DataType.forNumber(type.getElemType())
                    + "; the engine takes float tensors");
            return Optional.empty();
        }
        List<TensorShapeProto.Dimension> dims = type.getShape().getDimList();
        int[] one = new int[dims.size()];
        int[] two = new int[dims.size()];
        for (int i = 0; i < dims.size(); i++) {
            if (i == 0 && freeBatch) {
                one[i] = 1;
                two[i] = 2;
            } else if (dims.get(i).hasDimValue()) {
                one[i] = two[i] = (int) dims.get(i).getDimValue();
            } else {
                problems.add("input '" + input.getName() + "' has no fixed size on axis " + i + " ('" + dims.get(i).getDimParam()
                        + "'); the engine needs every size but the batch's");
                return Optional.empty();
            }
        }
        return Optional.of(new int[][] {one, two});
    }

    /** Converts one node; a problem it has is recorded, and its outputs stay unknown (nodes that read them are skipped). */
    private void convert(NodeProto node, int index, String where) {
        Attributes attributes = new Attributes(node);
        Operators operators = new Operators(this, nodeName(node, index));
        try {
            List<Object> outputs = operators.convert(node, attributes, opset);
            List<String> unread = attributes.unread();
            if (!unread.isEmpty()) {
                problems.add(where + ": attribute" + (unread.size() > 1 ? "s " : " ") + String.join(", ", unread)
                        + " not supported");
                return;
            }
            for (int i = 0; i < node.getOutputCount(); i++) {
                if (!node.getOutput(i).isEmpty()) {
                    if (i >= outputs.size()) {
                        problems.add(where + ": output " + i + " ('" + node.getOutput(i) + "') is not supported");
                        return;
                    }
                    values.put(node.getOutput(i), outputs.get(i));
                }
            }
        } catch (IllegalArgumentException | IOException e) {
            problems.add(where + ": " + e.getMessage());
        }
    }

    /**
     * The engine name of a node: its weight's name without {@code .weight} where it has one (so a PyTorch
     * model's tensors keep their names: {@code layer1.0.conv1.weight}), else its ONNX name, else its
     * operator and position; made unique.
     */
    private String nodeName(NodeProto node, int index) {
        for (String in : node.getInputList().subList(Math.min(1, node.getInputCount()), node.getInputCount())) {
            if (in.endsWith(".weight") && values.get(in) instanceof Known) {
                return unique(sanitise(in.substring(0, in.length() - ".weight".length())));
            }
        }
        String name = node.getName().isEmpty() ? node.getOpType().toLowerCase() + index : sanitise(node.getName());
        return unique(name);
    }

    /** A name made unique by a suffix ({@code _2}, {@code _3}) when taken. */
    String unique(String name) {
        int uses = nameUses.merge(name, 1, Integer::sum);
        return uses == 1 ? name : name + "_" + uses;
    }

    /** A name the spec language can carry: letters, digits and {@code _ . - /}; never "input". */
    static String sanitise(String name) {
        String clean = name.replaceAll("[^A-Za-z0-9_./\\-]", "_");
        return clean.isEmpty() || clean.equals("input") ? "v_" + clean : clean;
    }

    /** Notes that a node needed {@code name} fixed at import; when it is an input of the graph, the caller may give it. */
    void wantFixed(String name) {
        if (graphInputs.contains(name)) {
            wantedFixed.add(name);
        }
    }

    /** A value by ONNX name, which must exist. */
    Object value(String name) {
        return values.get(name);
    }


    /** Adds an engine node reading {@code inputs}; returns its output with its shapes at batch 1 and 2. */
    Engine add(String name, Op op, Engine... inputs) {
        List<int[]> one = Arrays.stream(inputs).map(Engine::one).toList();
        List<int[]> two = Arrays.stream(inputs).map(Engine::two).toList();
        int[] shapeOne = op.outputShapes(one).getFirst();
        int[] shapeTwo = op.outputShapes(two).getFirst();
        int id = graph.add(unique(name), op, Arrays.stream(inputs).mapToInt(Engine::id).toArray());
        return new Engine(id, shapeOne, shapeTwo);
    }
}
