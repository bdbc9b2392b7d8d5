package pipeline.convnet.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.data.Normalisation;
import pipeline.convnet.data.Resize;
import pipeline.convnet.init.Initializer;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.net.Network;
import pipeline.convnet.net.NetworkSpec;
import pipeline.convnet.tensor.Tensor;

class ModelFileTest {

    @TempDir
    Path dir;

    @Test
    void saveThenLoadIsBitExactIncludingBatchNormStatistics() throws IOException {
        ModelFile model = resnet();
        Tensor images = images();
        // One training pass moves the running statistics away from their initial values.
        model.network().forward(images, Mode.TRAIN);
        Path file = dir.resolve("resnet20.model");

        model.write(file);
        ModelFile loaded = ModelFile.read(file);

        assertThat(loaded.network().forward(images, Mode.INFER).data())
                .containsExactly(model.network().forward(images, Mode.INFER).data());
        assertThat(loaded.toBytes()).isEqualTo(Files.readAllBytes(file));
        assertThat(loaded.classNames()).isEqualTo(Dataset.FASHION_MNIST_CLASSES);
        assertThat(loaded.info()).isEqualTo(model.info());
        assertThat(loaded.normalisation().mean()).containsExactly(Normalisation.FASHION_MNIST.mean());
        assertThat(loaded.network().input()).containsExactly(1, 28, 28);
    }

    @Test
    void theResizePolicyIsKeptAndAFileWithoutOneStretches() throws IOException {
        ModelFile model = resnet();
        ModelFile cropping = new ModelFile(model.network(), model.normalisation(), model.classNames(), model.info(),
                new Resize.CentreCrop(0.875));

        assertThat(ModelFile.fromBytes(cropping.toBytes(), "crop").resize()).isEqualTo(new Resize.CentreCrop(0.875));
        assertThat(cropping.withInfo(new ModelInfo("next", 2, 1, Instant.now(), Map.of())).resize()).isEqualTo(cropping.resize());
        assertThat(ModelFile.read(Path.of("../models/fashion-lenet5.model")).resize()).isEqualTo(Resize.STRETCH);
    }

    @Test
    void aGraphWithBranchesIsSavedAndLoadedBitExact() throws IOException {
        Network network = NetworkSpec.parse("""
                input 1 28 28
                conv 4 kernel=3 padding=1
                stem: relu
                conv 4 kernel=1 from=stem
                a: batchnorm
                b: conv 4 kernel=3 padding=1 from=stem
                both: concat from=a,b
                add from=both,both
                global-avgpool
                linear 10
                """, 1);
        new Initializer(Initializer.Scheme.HE, 5).initialise(network.graph());
        network.forward(images(), Mode.TRAIN);
        ModelFile model = new ModelFile(network, Normalisation.FASHION_MNIST, Dataset.FASHION_MNIST_CLASSES,
                new ModelInfo("branches", 1, null, Instant.parse("2026-12-03T10:00:00Z"), Map.of()));

        ModelFile loaded = ModelFile.fromBytes(model.toBytes(), "branches.model");

        assertThat(ByteBuffer.wrap(model.toBytes()).getInt(8)).as("format version").isEqualTo(ModelFile.FORMAT_VERSION);
        assertThat(loaded.network().forward(images(), Mode.INFER).data())
                .containsExactly(network.forward(images(), Mode.INFER).data());
        assertThat(loaded.network().state().stream().map(Network.NamedTensor::name)).contains("a.runningVar", "b.weight", "layer9.bias");
    }

    @Test
    void aVersionOneFileStillLoadsAndIsWrittenAsTheCurrentVersion() throws IOException {
        Path bundled = Path.of("../models/fashion-lenet5.model");
        assertThat(ByteBuffer.wrap(Files.readAllBytes(bundled)).getInt(8)).as("the bundled model's format").isEqualTo(1);

        ModelFile model = ModelFile.read(bundled);
        ModelFile again = ModelFile.fromBytes(model.toBytes(), "rewritten");

        assertThat(ByteBuffer.wrap(model.toBytes()).getInt(8)).isEqualTo(2);
        assertThat(again.network().forward(images(), Mode.INFER).data())
                .containsExactly(model.network().forward(images(), Mode.INFER).data());
        assertThat(again.network().state().stream().map(Network.NamedTensor::name))
                .containsExactlyElementsOf(model.network().state().stream().map(Network.NamedTensor::name).toList());
    }

    @Test
    void aTruncatedFileIsRefusedNamingIt() throws IOException {
        byte[] bytes = resnet().toBytes();
        Path file = dir.resolve("cut.model");
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));

        assertThatThrownBy(() -> ModelFile.read(file)).isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("damaged or truncated");
    }

    @Test
    void aCorruptedByteIsCaughtByTheChecksum() throws IOException {
        byte[] bytes = resnet().toBytes();
        bytes[bytes.length / 2] ^= 0x10;

        assertThatThrownBy(() -> ModelFile.fromBytes(bytes, "record models/0@12"))
                .hasMessageContaining("record models/0@12 is damaged or truncated");
    }

    @Test
    void aForeignFileIsNotTakenForAModel() throws IOException {
        Path file = dir.resolve("photo.png");
        Files.write(file, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H', 'D', 'R'});

        assertThatThrownBy(() -> ModelFile.read(file)).hasMessageContaining(file + " is not a model file");
    }

    @Test
    void aNewerFormatIsRefusedSayingWhichVersionsAreRead() throws Exception {
        byte[] bytes = resnet().toBytes();
        ByteBuffer.wrap(bytes).putInt(8, 3);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(bytes, 0, bytes.length - 32);
        System.arraycopy(sha.digest(), 0, bytes, bytes.length - 32, 32);

        assertThatThrownBy(() -> ModelFile.fromBytes(bytes, "new.model"))
                .hasMessageContaining("new.model has model format version 3; this engine reads versions 1 to 2");
    }

    private static ModelFile resnet() {
        Network network = NetworkSpec.builtIn("resnet20", 3);
        new Initializer(Initializer.Scheme.HE, 3).initialise(network.graph());
        return new ModelFile(network, Normalisation.FASHION_MNIST, Dataset.FASHION_MNIST_CLASSES,
                new ModelInfo("fashion-resnet20", 4, 3, Instant.parse("2026-11-22T10:15:30Z"), Map.of("testAccuracy", 0.93)));
    }

    private static Tensor images() {
        Tensor images = Tensor.zeros(4, 1, 28, 28);
        for (int i = 0; i < images.size(); i++) {
            images.data()[i] = (float) Math.cos(i * 0.11);
        }
        return images;
    }
}
