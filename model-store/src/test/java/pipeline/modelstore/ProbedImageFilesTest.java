package pipeline.modelstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import pipeline.convnet.data.ImageFiles;
import pipeline.convnet.data.ImageInput;
import pipeline.convnet.data.Normalisation;

/** The engine's folder datasets read through the running system's decoder when this module is on the class path. */
class ProbedImageFilesTest {

    static final Path IMAGES = Path.of("../images/src/test/resources");

    @Test
    void theEngineFindsTheSystemsDecoderWhichReadsWhatImageIoCannot() throws IOException {
        ImageFiles files = ImageFiles.available();
        ImageInput input = new ImageInput(new int[] {3, 30, 40}, Normalisation.none(3));
        byte[] webp = Files.readAllBytes(IMAGES.resolve("lossy.webp"));

        byte[] fromWebp = files.pixels(webp, "lossy.webp", input);
        byte[] fromPng = files.pixels(Files.readAllBytes(IMAGES.resolve("webp-source.png")), "webp-source.png", input);

        assertThat(files).isInstanceOf(ProbedImageFiles.class);
        long difference = 0;
        for (int i = 0; i < fromPng.length; i++) {
            difference += Math.abs((fromWebp[i] & 0xff) - (fromPng[i] & 0xff));
        }
        assertThat((double) difference / fromPng.length).as("lossy WebP against its source").isLessThan(4);
        assertThatThrownBy(() -> files.pixels(Arrays.copyOf(webp, webp.length / 2), "cut.webp", input))
                .isInstanceOf(IOException.class).hasMessageContaining("WebP");
    }
}
