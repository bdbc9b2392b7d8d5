package pipeline.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.tensor.Tensor;
import pipeline.onnx.proto.Onnx.AttributeProto;
import pipeline.onnx.proto.Onnx.GraphProto;
import pipeline.onnx.proto.Onnx.ModelProto;
import pipeline.onnx.proto.Onnx.NodeProto;
import pipeline.onnx.proto.Onnx.StringStringEntryProto;
import pipeline.onnx.proto.Onnx.TensorProto;

/** The importer's refusals name what is wrong; weights kept in external files are read. */
class ImporterTest {

    @TempDir
    Path dir;

    @Test
    void everyUnsupportedOperatorAndAttributeIsNamedWithItsNode() throws Exception {
        ModelProto model = exported("lenet5");
        GraphProto.Builder graph = model.getGraph().toBuilder();
        graph.setNode(0, graph.getNode(0).toBuilder().setOpType("Resize"));
        graph.addNode(NodeProto.newBuilder().setOpType("Einsum").setName("mystery").addInput("input").addOutput("unused"));
        Path file = write(model.toBuilder().setGraph(graph).build(), "strange.onnx");

        assertThatThrownBy(() -> OnnxImporter.importModel(file, true))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("(operators [Einsum, Resize])")
                .hasMessageContaining("node 'layer1' (Resize): operator Resize is not supported")
                .hasMessageContaining("node 'mystery' (Einsum): operator Einsum is not supported");
        ModelProto attribute = exported("lenet5");
        GraphProto.Builder g = attribute.getGraph().toBuilder();
        g.setNode(0, g.getNode(0).toBuilder().addAttribute(AttributeProto.newBuilder().setName("colour")
                .setType(AttributeProto.AttributeType.INT).setI(3)));
        Path withAttribute = write(attribute.toBuilder().setGraph(g).build(), "attribute.onnx");
        assertThatThrownBy(() -> OnnxImporter.importModel(withAttribute, true))
                .hasMessageContaining("node 'layer1' (Conv): attribute colour not supported");
    }

    @Test
    void aTruncatedFileIsRefusedNamingIt() throws Exception {
        byte[] bytes = exported("lenet5").toByteArray();
        Path file = dir.resolve("cut.onnx");
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));

        assertThatThrownBy(() -> OnnxImporter.importModel(file, true)).hasMessageContaining(file.toString())
                .hasMessageContaining("is not an ONNX model (or is truncated)");
    }

    @Test
    void weightsInAnExternalFileAreRead() throws Exception {
        ModelFile original = RoundTripTest.model("lenet5");
        ModelProto model = OnnxExporter.toModel(original);
        GraphProto.Builder graph = model.getGraph().toBuilder();
        TensorProto weight = graph.getInitializer(0);
        byte[] raw = weight.getRawData().toByteArray();
        Files.write(dir.resolve("weights.bin"), concat(new byte[64], raw));
        graph.setInitializer(0, weight.toBuilder().clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", "weights.bin")).addExternalData(entry("offset", "64"))
                .addExternalData(entry("length", Integer.toString(raw.length))));
        Path file = write(model.toBuilder().setGraph(graph).build(), "external.onnx");
        Tensor images = RoundTripTest.images(original.network(), 2);

        ModelFile imported = OnnxModels.importClassifier(file, null, null, "external");

        assertThat(imported.network().forward(images, Mode.INFER).data())
                .containsExactly(original.network().forward(images, Mode.INFER).data());
        Files.write(dir.resolve("weights.bin"), new byte[10]);
        assertThatThrownBy(() -> OnnxImporter.importModel(file, true)).hasMessageContaining("weights.bin")
                .hasMessageContaining("which holds 10");
    }

    private ModelProto exported(String builtIn) {
        return OnnxExporter.toModel(RoundTripTest.model(builtIn));
    }

    private Path write(ModelProto model, String name) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, model.toByteArray());
        return file;
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
