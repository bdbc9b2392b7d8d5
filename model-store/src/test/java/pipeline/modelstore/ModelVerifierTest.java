package pipeline.modelstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.net.Network;
import pipeline.convnet.train.TransferLearning;
import pipeline.schemas.avro.InputSpec;
import pipeline.schemas.avro.ModelStatus;
import pipeline.schemas.avro.ModelVersion;

class ModelVerifierTest {

    static final Path BUNDLED = Path.of("../models/fashion-lenet5.model");

    final ModelVerifier verifier = new ModelVerifier();

    /** The bundled LeNet-5 as a promoted record of {@code version}, with {@code weights} as its bytes. */
    static ModelVersion bundled(int version, byte[] weights) throws Exception {
        return ModelRecords.of(ModelFile.read(BUNDLED), weights, "fashion-lenet5", version, ModelStatus.PROMOTED);
    }

    static byte[] bundledBytes() throws Exception {
        return Files.readAllBytes(BUNDLED);
    }

    @Test
    void theBundledModelIsAccepted() throws Exception {
        ModelSnapshot snapshot = verifier.verify(bundled(1, bundledBytes()), null);

        assertThat(snapshot.version()).isEqualTo(1);
        assertThat(snapshot.model().classNames()).hasSize(10);
    }

    @Test
    void weightsThatDoNotMatchTheirChecksumAreRefused() throws Exception {
        ModelVersion record = bundled(2, bundledBytes());
        record.setWeightsSha256("0".repeat(64));

        assertThatThrownBy(() -> verifier.verify(record, null))
                .isInstanceOf(ModelRefusedException.class)
                .hasMessageContaining("model fashion-lenet5 v2: the weights' SHA-256 is")
                .hasMessageContaining("but the record says 0000");
    }

    @Test
    void damagedWeightsWithAMatchingRecordChecksumAreCaughtByTheFile() throws Exception {
        byte[] damaged = bundledBytes();
        damaged[damaged.length / 2] ^= 1;

        assertThatThrownBy(() -> verifier.verify(bundled(3, damaged), null))
                .hasMessageContaining("model fashion-lenet5 v3 is damaged or truncated");
    }

    @Test
    void nanWeightsAreRefusedNamingTheTensor() throws Exception {
        ModelFile model = ModelFile.read(BUNDLED);
        Network.NamedTensor first = model.network().state().getFirst();
        first.values()[0] = Float.NaN;

        assertThatThrownBy(() -> verifier.verify(bundled(4, model.toBytes()), null))
                .hasMessageContaining("model fashion-lenet5 v4: layer1.weight holds NaN");
    }

    @Test
    void aRecordDeclaringAnotherResizeThanItsWeightsIsRefused() throws Exception {
        ModelVersion record = bundled(5, bundledBytes());
        record.getInput().setResize("centre-crop:0.875");

        assertThatThrownBy(() -> verifier.verify(record, null))
                .hasMessageContaining("the weights resize images by stretch but the record declares centre-crop:0.875");
    }

    @Test
    void aRecordDeclaringAnotherInputShapeIsRefused() throws Exception {
        ModelVersion record = bundled(5, bundledBytes());
        InputSpec input = record.getInput();
        record.setInput(new InputSpec(3, 32, 32, input.getMean(), input.getStd(), input.getResize()));

        assertThatThrownBy(() -> verifier.verify(record, null))
                .hasMessageContaining("the weights take input [1, 28, 28] but the record declares [3, 32, 32]");
    }

    @Test
    void classesThatDifferFromTheServingModelAreRefused() throws Exception {
        ModelSnapshot serving = verifier.verify(bundled(1, bundledBytes()), null);
        ModelFile renamed = ModelFile.read(BUNDLED);
        List<String> classes = new ArrayList<>(renamed.classNames());
        classes.set(0, "Tee");
        byte[] weights = new ModelFile(renamed.network(), renamed.normalisation(), classes, renamed.info()).toBytes();
        ModelVersion record = bundled(6, weights);
        record.setClassNames(classes);

        assertThatThrownBy(() -> verifier.verify(record, serving))
                .hasMessageContaining("v6: classes [Tee")
                .hasMessageContaining("differ from the serving v1's [T-shirt/top");
    }

    @Test
    void aVersionThatAddsClassesAfterTheServedOnesIsAcceptedAndOneThatDropsOneIsNot() throws Exception {
        ModelSnapshot serving = verifier.verify(bundled(1, bundledBytes()), null);
        ModelFile bundled = ModelFile.read(BUNDLED);
        List<String> grown = new ArrayList<>(bundled.classNames());
        grown.add("Hat");
        ModelFile withHat = new ModelFile(TransferLearning.withGrownHead(bundled.network(), 1, 1), bundled.normalisation(), grown,
                bundled.info());
        ModelVersion record = bundled(7, withHat.toBytes());
        record.setClassNames(grown);

        assertThat(verifier.verify(record, serving).model().classNames()).endsWith("Hat");
        ModelVersion shrunk = bundled(8, bundledBytes());
        assertThatThrownBy(() -> verifier.verify(shrunk, verifier.verify(record, serving)))
                .hasMessageContaining("a version may only add classes after them");
    }
}
