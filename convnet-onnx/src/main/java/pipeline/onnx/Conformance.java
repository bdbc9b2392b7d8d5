package pipeline.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;
import pipeline.onnx.proto.Onnx.ModelProto;
import pipeline.onnx.proto.Onnx.TensorProto;
import pipeline.onnx.proto.Onnx.ValueInfoProto;

/**
 * ONNX's backend test cases run through the importer and the engine: a case is a folder with
 * {@code model.onnx} and {@code test_data_set_*} folders of {@code input_K.pb} / {@code output_K.pb}
 * tensors. A case passes when every output equals the expected one within {@code rtol·|expected| + atol};
 * it is unsupported when the importer refuses the model (the reason is kept), and fails otherwise.
 * Integer inputs are given to the importer as fixed values (the engine computes in float), and so are
 * float inputs a node needs fixed (a convolution's weight, given as an input by the test).
 */
public final class Conformance {

    /** What became of a case. */
    public enum Verdict { PASSED, FAILED, UNSUPPORTED }

    /** A case's verdict, and why when it did not pass. */
    public record Outcome(String name, Verdict verdict, String detail) {}

    /** Relative tolerance: 1e-4, and 1e-3 for LRN, whose power of a sum rounds more. */
    static final double RTOL = 1e-4;
    static final double RTOL_LRN = 1e-3;
    /** Absolute tolerance for outputs near zero, where a relative one means nothing. */
    static final double ATOL = 1e-5;

    private Conformance() {
    }

    /** Every case folder under {@code root} (those holding a {@code model.onnx}), by name. */
    public static List<Path> cases(Path root) throws IOException {
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("model.onnx"))).sorted().toList();
        }
    }

    /** Runs one case. */
    public static Outcome run(Path dir) {
        String name = dir.getFileName().toString();
        try {
            Path file = dir.resolve("model.onnx");
            ModelProto model = OnnxImporter.parse(file);
            List<String> inputNames = inputNames(model);
            List<Path> sets;
            try (Stream<Path> s = Files.list(dir)) {
                sets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set_")).sorted().toList();
            }
            double rtol = name.contains("lrn") ? RTOL_LRN : RTOL;
            for (Path set : sets) {
                String failure = runSet(model, file, inputNames, set, rtol);
                if (failure != null) {
                    return new Outcome(name, failure.startsWith("unsupported: ") ? Verdict.UNSUPPORTED : Verdict.FAILED,
                            failure.replaceFirst("^unsupported: ", ""));
                }
            }
            return new Outcome(name, Verdict.PASSED, "");
        } catch (UnsupportedModelException e) {
            return new Outcome(name, Verdict.UNSUPPORTED, String.join("; ", e.problems().isEmpty() ? List.of(e.getMessage())
                    : e.problems()));
        } catch (IOException | RuntimeException e) {
            return new Outcome(name, Verdict.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Null when the set's outputs match; else what went wrong ("unsupported: …" when the model was refused). */
    private static String runSet(ModelProto model, Path file, List<String> inputNames, Path set, double rtol)
            throws IOException {
        String notTensors = notTensors(model);
        if (notTensors != null) {
            return "unsupported: " + notTensors;
        }
        Map<String, Known> inputs = new HashMap<>();
        for (int i = 0; i < inputNames.size(); i++) {
            inputs.put(inputNames.get(i), Tensors.read(TensorProto.parseFrom(Files.readAllBytes(set.resolve("input_" + i + ".pb"))),
                    set));
        }
        Map<String, Known> given = new HashMap<>();
        Map<String, Integer> declared = new HashMap<>();
        model.getGraph().getInputList().forEach(v -> declared.put(v.getName(), v.getType().getTensorType().getElemType()));
        inputs.forEach((k, v) -> {
            if (integerType(declared.getOrDefault(k, 0))) {
                given.put(k, v);
            }
        });
        OnnxImporter.Imported imported = null;
        while (imported == null) {
            try {
                imported = OnnxImporter.importModel(model, file, false, given);
            } catch (UnsupportedModelException e) {
                List<String> wanted = e.inputsWantedFixed().stream().filter(k -> !given.containsKey(k)).toList();
                if (wanted.isEmpty()) {
                    return "unsupported: " + (e.problems().isEmpty() ? e.getMessage() : String.join("; ", e.problems()));
                }
                wanted.forEach(k -> given.put(k, inputs.get(k)));
            }
        }
        Tensor[] feed = imported.inputs().stream().map(k -> tensor(inputs.get(k))).toArray(Tensor[]::new);
        Tensor[] values = imported.graph().forward(Mode.INFER, feed);
        int[] outputs = imported.graph().outputs();
        for (int i = 0; i < outputs.length; i++) {
            Known expected = Tensors.read(TensorProto.parseFrom(Files.readAllBytes(set.resolve("output_" + i + ".pb"))), set);
            Tensor actual = values[outputs[i]];
            String mismatch = compare(imported.outputs().get(i), actual, expected, rtol);
            if (mismatch != null) {
                return mismatch;
            }
        }
        return null;
    }

    /** Whether an ONNX element type holds whole numbers (or booleans), which the importer takes as fixed values. */
    private static boolean integerType(int type) {
        TensorProto.DataType t = TensorProto.DataType.forNumber(type);
        return t != null && switch (t) {
            case INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64, BOOL -> true;
            default -> false;
        };
    }

    /** Why the case's inputs or outputs are not tensors of numbers the engine reads (strings, sequences, optionals), or null. */
    private static String notTensors(ModelProto model) {
        List<ValueInfoProto> all = new ArrayList<>(model.getGraph().getInputList());
        all.addAll(model.getGraph().getOutputList());
        for (var v : all) {
            if (!v.getType().hasTensorType()) {
                return "'" + v.getName() + "' is not a tensor (a sequence, map or optional)";
            }
            int type = v.getType().getTensorType().getElemType();
            if (type == TensorProto.DataType.STRING_VALUE || type == TensorProto.DataType.COMPLEX64_VALUE
                    || type == TensorProto.DataType.COMPLEX128_VALUE) {
                return "'" + v.getName() + "' holds " + TensorProto.DataType.forNumber(type);
            }
        }
        return null;
    }

    /** The inputs of the graph that are not initializers, in order: the test data's input_0, input_1, … */
    private static List<String> inputNames(ModelProto model) {
        List<String> initializers = model.getGraph().getInitializerList().stream().map(TensorProto::getName).toList();
        List<String> names = new ArrayList<>();
        model.getGraph().getInputList().forEach(v -> {
            if (!initializers.contains(v.getName())) {
                names.add(v.getName());
            }
        });
        return names;
    }

    private static Tensor tensor(Known k) {
        return new Tensor(k.asFloats("an input"), k.shape());
    }

    private static String compare(String output, Tensor actual, Known expected, double rtol) {
        if (!Arrays.equals(actual.shape(), expected.shape())) {
            return "output '" + output + "' has shape " + actual.shapeString() + ", expected "
                    + Shapes.toString(expected.shape());
        }
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.values()[i];
            double a = actual.data()[i];
            boolean bothNaN = Double.isNaN(e) && Double.isNaN(a);
            if (!bothNaN && !(Math.abs(a - e) <= rtol * Math.abs(e) + ATOL) && !(a == e)) {
                return "output '" + output + "' element " + i + " is " + a + ", expected " + e;
            }
        }
        return null;
    }
}
