package pipeline.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.train.Evaluator;

class TrainingRoundTest {

    static final Path SAMPLE = Path.of("../convnet/src/test/resources/fashion-mnist-sample");
    static Dataset train;
    static Dataset test;
    static ModelFile weak;

    @BeforeAll
    static void weakModel() throws Exception {
        train = Dataset.readIdx(SAMPLE, "train", Dataset.FASHION_MNIST_CLASSES);
        test = Dataset.readIdx(SAMPLE, "t10k", Dataset.FASHION_MNIST_CLASSES);
        weak = ColdStart.lenet(train.head(200), 1, 3, "round-test");
    }

    static List<Sample> samples(Dataset data, int from, int to, boolean shuffleLabels) {
        List<Integer> labels = new ArrayList<>();
        for (int i = from; i < to; i++) {
            labels.add(data.labels()[i]);
        }
        if (shuffleLabels) {
            Collections.shuffle(labels, new Random(5));
        }
        List<Sample> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(Sample.of(data, i, "train-" + i, labels.get(i - from)));
        }
        return out;
    }

    static TrainingRound.Outcome round(boolean shuffled) throws Exception {
        List<Sample> all = samples(train, 200, 2_500, shuffled);
        HeldOutSplit split = new HeldOutSplit(20);
        ReplayBuffer buffer = new ReplayBuffer(4_000, 1);
        List<Sample> heldOut = new ArrayList<>();
        all.forEach(s -> {
            if (split.heldOut(s.pixels())) {
                heldOut.add(s);
            } else {
                buffer.add(s);
            }
        });
        TrainingRound round = new TrainingRound(new TrainingRound.Config(150, 64, 5e-4f, 1), new PromotionGate(3));
        TrainingRound.Version v1 = new TrainingRound.Version(1, weak.toBytes());
        return round.run(v1, v1, 2, buffer, heldOut, () -> false);
    }

    @Test
    void aCandidateFineTunedOnRightLabelsBeatsItsParentAndIsPromoted() throws Exception {
        TrainingRound.Outcome outcome = round(false);

        assertThat(outcome.verdict().promote()).as(outcome.verdict().reason() + " " + outcome.promotedScore().accuracy() + " -> " + outcome.candidateScore().accuracy()).isTrue();
        assertThat(outcome.candidateScore().accuracy()).isGreaterThan(outcome.promotedScore().accuracy() + 0.05);
        assertThat(outcome.candidate().info().version()).isEqualTo(2);
        assertThat(outcome.candidate().info().parentVersion()).isEqualTo(1);
        assertThat(outcome.candidate().info().metrics()).containsEntry("heldOutAccuracy", outcome.candidateScore().accuracy());
        // Better on held-out images is better on the test set too.
        double before = Evaluator.evaluate(weak.network(), test, weak.normalisation(), 256).accuracy();
        double after = Evaluator.evaluate(outcome.candidate().network(), test, weak.normalisation(), 256).accuracy();
        assertThat(after).isGreaterThan(before + 0.05);
    }

    @Test
    void aCandidateFineTunedOnShuffledLabelsIsNotPromoted() throws Exception {
        TrainingRound.Outcome outcome = round(true);

        assertThat(outcome.verdict().promote()).as(outcome.verdict().reason()).isFalse();
    }

    @Test
    void aRoundAskedToStopEndsWithoutACandidate() {
        ReplayBuffer buffer = new ReplayBuffer(100, 1);
        samples(train, 0, 100, false).forEach(buffer::add);
        TrainingRound round = new TrainingRound(new TrainingRound.Config(50, 16, 5e-4f, 1), new PromotionGate(3));
        int[] steps = {0};

        TrainingRound.Version v1 = new TrainingRound.Version(1, weak.toBytes());
        assertThatThrownBy(() -> round.run(v1, v1, 2, buffer,
                        samples(train, 100, 150, false), () -> ++steps[0] >= 3))
                .isInstanceOf(RoundCancelledException.class).hasMessageContaining("at step 3 of 50");
    }
}
