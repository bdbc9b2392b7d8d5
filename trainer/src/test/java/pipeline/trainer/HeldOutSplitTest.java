package pipeline.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import pipeline.config.Settings;
import pipeline.convnet.data.Dataset;

class HeldOutSplitTest {

    @Test
    void holdsOutAboutItsShareOfImagesAndAlwaysTheSameOnes() {
        HeldOutSplit split = new HeldOutSplit(10);
        long held = IntStream.range(0, 20_000).filter(i -> split.heldOut(image(i))).count();

        assertThat(held).isBetween(1_800L, 2_200L);
        assertThat(IntStream.range(0, 1_000).allMatch(i -> split.heldOut(image(i)) == new HeldOutSplit(10).heldOut(image(i))))
                .isTrue();
    }

    @Test
    void anImageSentAgainUnderAnotherIdIsOnTheSameSide() throws Exception {
        Dataset sample = Dataset.readIdx(TrainingRoundTest.SAMPLE, "t10k", Dataset.FASHION_MNIST_CLASSES);
        TrainingData data = new TrainingData(TrainerSettings.from(Settings.load(TrainerSettings.ALL, null,
                Map.of("PIPELINE_TRAINER_HELD_OUT_PERCENT", "10"))), sample.imageSize());
        for (int i = 0; i < 300; i++) {
            int label = sample.labels()[i];
            boolean first = data.add(Sample.of(sample, i, "camera-1-frame-" + i, label));
            boolean again = data.add(Sample.of(sample, i, "camera-2-frame-" + i, label));

            assertThat(again).as("image %d under a second id", i).isEqualTo(first);
        }
    }

    @Test
    void aLargerShareHoldsOutEveryImageASmallerOneDoes() {
        assertThat(IntStream.range(0, 5_000).mapToObj(HeldOutSplitTest::image).filter(new HeldOutSplit(5)::heldOut)
                .allMatch(new HeldOutSplit(20)::heldOut)).isTrue();
    }

    @Test
    void sharesOutsideOneToFiftyPercentAreRefused() {
        assertThatThrownBy(() -> new HeldOutSplit(0)).hasMessageContaining("1 to 50 percent; got 0");
        assertThatThrownBy(() -> new HeldOutSplit(60)).hasMessageContaining("got 60");
    }

    /** A distinct byte pattern per {@code i}, standing in for an image's pixels. */
    private static byte[] image(int i) {
        return ("pixels-" + i).getBytes(StandardCharsets.UTF_8);
    }
}
