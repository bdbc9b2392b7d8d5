package pipeline.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
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

    @Test
    void theTrainingSamplesKeptSinceTheLastRoundAreTakenOnceAndNeverTheHeldOutOnes() {
        TrainingData data = new TrainingData(settings(Map.of()), 1);
        int heldOut = 0;
        for (int i = 0; i < 1_000; i++) {
            heldOut += data.add(new Sample("image-" + i, new byte[] {(byte) i, (byte) (i >> 8)}, "a")) ? 1 : 0;
        }

        List<Sample> unseen = data.takeUnseen();

        assertThat(unseen).hasSize(1_000 - heldOut);
        assertThat(unseen).noneMatch(s -> data.heldOut().contains(s));
        assertThat(data.takeUnseen()).as("taken already").isEmpty();
        data.add(new Sample("later", new byte[] {1, 2, 3}, "a"));
        assertThat(data.takeUnseen().size() + data.heldOutSize()).isEqualTo(1 + heldOut);
    }

    @Test
    void anImageKeptBeforeIsNotUnseenAgainWhenItComesBack() {
        TrainingData data = new TrainingData(settings(Map.of()), 2);
        // Pixels chosen to fall on the training side (the held-out split hashes them).
        List<Sample> training = new ArrayList<>();
        for (int i = 0; training.size() < 3; i++) {
            Sample sample = new Sample("image-" + i, new byte[] {(byte) i, 7}, "a");
            if (!data.add(sample)) {
                training.add(sample);
            }
        }
        data.takeUnseen();

        data.add(new Sample("a repeat", training.get(0).pixels().clone(), "b"));
        data.add(new Sample("a repeat", training.get(1).pixels().clone(), "a"));

        assertThat(data.takeUnseen()).as("both images were kept, so a round may have trained on them").isEmpty();
    }
}
