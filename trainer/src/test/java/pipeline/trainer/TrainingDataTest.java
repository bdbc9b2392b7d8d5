package pipeline.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import pipeline.config.Settings;

class TrainingDataTest {

    private static final int GREY_28 = 28 * 28;
    private static final int RGB_224 = 3 * 224 * 224;

    @Test
    void smallImagesKeepAsManySamplesAsAskedFor() {
        TrainingData data = new TrainingData(settings(Map.of()), GREY_28);

        assertThat(data.bufferCapacity()).isEqualTo(20_000);
        assertThat(data.heldOutCapacity()).isEqualTo(2_000);
        assertThat(data.heldOutNeeded()).isEqualTo(200);
    }

    @Test
    void largeImagesKeepFewerSamplesSoTheyFitInTheSampleMemory() {
        TrainingData data = new TrainingData(settings(Map.of()), RGB_224);

        long kept = (long) (data.bufferCapacity() + data.heldOutCapacity()) * RGB_224;
        assertThat(kept).isLessThanOrEqualTo(1L << 30).isGreaterThan((1L << 30) * 99 / 100);
        assertThat((double) data.heldOutCapacity() / data.bufferCapacity()).isCloseTo(0.1, Offset.offset(0.001));
    }

    @Test
    void whenTooFewCanBeHeldOutCandidatesAreJudgedOnAllThatCanBe() {
        TrainingData data = new TrainingData(settings(Map.of("PIPELINE_TRAINER_SAMPLE_MEMORY", "64MiB")), RGB_224);

        assertThat(data.heldOutCapacity()).isLessThan(200);
        assertThat(data.heldOutNeeded()).isEqualTo(data.heldOutCapacity());
        assertThat(data.canJudge()).isFalse();
    }

    private static TrainerSettings settings(Map<String, String> env) {
        return TrainerSettings.from(Settings.load(TrainerSettings.ALL, null, env));
    }
}
