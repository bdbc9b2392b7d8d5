package pipeline.convnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {

    static final Path SAMPLE = Path.of("src/test/resources/fashion-mnist-sample");

    @TempDir
    Path dir;

    @Test
    void readsTheCommittedFashionMnistSample() throws IOException {
        Dataset train = Dataset.readIdx(SAMPLE, "train", Dataset.FASHION_MNIST_CLASSES);

        assertThat(train.size()).isEqualTo(2500);
        assertThat(new int[] {train.channels(), train.height(), train.width()}).containsExactly(1, 28, 28);
        assertThat(Arrays.stream(train.labels()).distinct().count()).isEqualTo(10);
    }

    @Test
    void plainAndGzippedFilesReadTheSame() throws IOException {
        Idx idx = new Idx(new int[] {2, 3}, new byte[] {1, 2, 3, 4, 5, (byte) 255});
        idx.writeGzip(dir.resolve("a.gz"));
        byte[] gz = Files.readAllBytes(dir.resolve("a.gz"));
        Files.write(dir.resolve("plain"), new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes());

        Idx plain = Idx.read(dir.resolve("plain"));

        assertThat(plain.dims()).containsExactly(2, 3);
        assertThat(plain.values()).containsExactly(idx.values());
        assertThat(Idx.read(dir.resolve("a.gz")).values()).containsExactly(idx.values());
    }

    @Test
    void aTruncatedFileIsRefusedNamingIt() throws IOException {
        Path file = dir.resolve("short");
        Files.write(file, new byte[] {0, 0, 8, 1, 0, 0, 0, 10, 1, 2, 3});

        assertThatThrownBy(() -> Idx.read(file)).hasMessageContaining(file + " is truncated");
    }

    @Test
    void aForeignFileIsRefusedNamingIt() throws IOException {
        Path file = dir.resolve("picture.png");
        Files.write(file, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});

        assertThatThrownBy(() -> Idx.read(file)).hasMessageContaining(file + " is not an IDX file");
    }

    @Test
    void aMissingFolderSaysWhatWasExpected() {
        assertThatThrownBy(() -> Dataset.readIdx(dir, "train", Dataset.FASHION_MNIST_CLASSES))
                .hasMessageContaining("No train-images-idx3-ubyte")
                .hasMessageContaining(dir.toString());
    }
}
