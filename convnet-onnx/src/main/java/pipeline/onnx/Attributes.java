package pipeline.onnx;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import pipeline.onnx.proto.Onnx.AttributeProto;
import pipeline.onnx.proto.Onnx.NodeProto;
import pipeline.onnx.proto.Onnx.TensorProto;

/** A node's attributes by name, remembering which the importer read, so that any it did not understand can be named. */
final class Attributes {

    private final Map<String, AttributeProto> byName = new LinkedHashMap<>();
    private final Set<String> read = new HashSet<>();

    Attributes(NodeProto node) {
        node.getAttributeList().forEach(a -> byName.put(a.getName(), a));
    }

    boolean has(String name) {
        read.add(name);
        return byName.containsKey(name);
    }

    long integer(String name, long fallback) {
        AttributeProto a = get(name);
        return a == null ? fallback : a.getI();
    }

    float real(String name, float fallback) {
        AttributeProto a = get(name);
        return a == null ? fallback : a.getF();
    }

    String text(String name, String fallback) {
        AttributeProto a = get(name);
        return a == null ? fallback : a.getS().toString(StandardCharsets.UTF_8);
    }

    /** The list of integers, or {@code fallback} (may be null) when absent. */
    long[] integers(String name, long[] fallback) {
        AttributeProto a = get(name);
        return a == null ? fallback : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    float[] reals(String name) {
        AttributeProto a = get(name);
        if (a == null) {
            return null;
        }
        float[] out = new float[a.getFloatsCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.getFloats(i);
        }
        return out;
    }

    TensorProto tensor(String name) {
        AttributeProto a = get(name);
        return a == null ? null : a.getT();
    }

    /** Attributes present that nothing read: ones the importer does not know what to do with. */
    List<String> unread() {
        return byName.keySet().stream().filter(name -> !read.contains(name)).toList();
    }

    private AttributeProto get(String name) {
        read.add(name);
        return byName.get(name);
    }
}
