package pipeline.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.model.ModelFile;

class StartReplayTest {

    static ModelFile lenet;

    @BeforeAll
    static void model() throws Exception {
        lenet = ColdStart.lenet(Dataset.readIdx(TrainingRoundTest.SAMPLE, "train", Dataset.FASHION_MNIST_CLASSES).head(100), 1, 1,
                "replay-test");
    }

    @Test
    void readsTheStartModelsIdxTrainingImagesAtMostTheLimitChosenAtRandom() throws Exception {
        StartReplay replay = StartReplay.load(TrainingRoundTest.SAMPLE, lenet, 0.5, 300, 1);

        assertThat(replay.data().size()).isEqualTo(300);
        assertThat(replay.data().classNames()).isEqualTo(Dataset.FASHION_MNIST_CLASSES);
        assertThat(replay.draw(1_000, new SplittableRandom(1))).hasSize(1_000)
                .allMatch(s -> s.pixels().length == 28 * 28 && Dataset.FASHION_MNIST_CLASSES.contains(s.label()));
    }

    @Test
    void readsFolderOfClassFoldersAsTheModelTakesItsImages(@TempDir Path dir) throws Exception {
        for (String label : new String[] {"Bag", "Sneaker"}) {
            Files.createDirectories(dir.resolve(label));
            for (int i = 0; i < 3; i++) {
                BufferedImage picture = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = picture.createGraphics();
                g.setColor(new Color(40 * i, 200, label.length() * 20));
                g.fillRect(8, 8, 40, 30);
                g.dispose();
                ImageIO.write(picture, "png", dir.resolve(label).resolve(i + ".png").toFile());
            }
        }

        StartReplay replay = StartReplay.load(dir, lenet, 0.25, 100, 1);

        assertThat(replay.data().size()).isEqualTo(6);
        assertThat(replay.data().channels()).isEqualTo(1);
        assertThat(replay.data().height()).isEqualTo(28);
        assertThat(replay.draw(20, new SplittableRandom(2))).extracting(Sample::label).containsOnly("Bag", "Sneaker");
    }

    @Test
    void aPathThatIsNotAFolderIsRefusedNamingTheSettingAndWhatIsExpected(@TempDir Path dir) {
        assertThatThrownBy(() -> StartReplay.load(dir.resolve("missing"), lenet, 0.5, 100, 1))
                .hasMessageContaining("trainer.replay-data")
                .hasMessageContaining("missing is not a folder")
                .hasMessageContaining("train-images-idx3-ubyte");
    }
}
