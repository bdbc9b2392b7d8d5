package pipeline.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import pipeline.convnet.data.Augmentation;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.data.Normalisation;
import pipeline.convnet.init.Initializer;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.model.ModelInfo;
import pipeline.convnet.net.Network;
import pipeline.convnet.net.NetworkSpec;
import pipeline.convnet.optim.Adam;
import pipeline.convnet.optim.LearningRateSchedule;
import pipeline.convnet.train.Evaluation;
import pipeline.convnet.train.Evaluator;
import pipeline.convnet.train.Trainer;
import pipeline.convnet.train.TransferLearning;

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

    /** A fifth of the samples held out (returned), the rest into {@code buffer}. */
    static List<Sample> split(List<Sample> samples, ReplayBuffer buffer) {
        HeldOutSplit split = new HeldOutSplit(20);
        List<Sample> heldOut = new ArrayList<>();
        samples.forEach(s -> {
            if (split.heldOut(s.pixels())) {
                heldOut.add(s);
            } else {
                buffer.add(s);
            }
        });
        return heldOut;
    }

    static TrainingRound.Outcome round(boolean shuffled) throws Exception {
        ReplayBuffer buffer = new ReplayBuffer(4_000, 1);
        List<Sample> heldOut = split(samples(train, 200, 2_500, shuffled), buffer);
        TrainingRound round = new TrainingRound(new TrainingRound.Config(150, 64, 0.01f, 1), new PromotionGate(3));
        TrainingRound.Version v1 = new TrainingRound.Version(1, weak.toBytes());
        return round.run(v1, v1, 2, buffer, heldOut, List.of(), () -> false);
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
    void roundsTakeMoreStepsAsTheBufferGrowsWhenAskedForPassesOverIt() throws Exception {
        TrainingRound.Config config = new TrainingRound.Config(10, 64, 0.01f, 1, TransferLearning.NONE,
                TrainingRound.RoundOptimizer.SGD, TrainingRound.RoundSchedule.COSINE, 2.0);
        assertThat(config.steps(100)).as("a small buffer: the minimum").isEqualTo(10);
        assertThat(config.steps(6_400)).as("two passes over 6,400 samples of 64").isEqualTo(200);

        ReplayBuffer buffer = new ReplayBuffer(4_000, 1);
        List<Sample> heldOut = split(samples(train, 200, 1_200, false), buffer);
        TrainingRound.Version v1 = new TrainingRound.Version(1, weak.toBytes());
        TrainingRound.Outcome outcome = new TrainingRound(config, new PromotionGate(3)).run(v1, v1, 2, buffer, heldOut, List.of(),
                () -> false);

        assertThat(outcome.steps()).isEqualTo(config.steps(buffer.size())).isGreaterThan(10);
    }

    @Test
    void aLineageAheadOfThePromotedVersionAddsWhatItShowsOnTheNewLabelsToWhatItBrought() throws Exception {
        TrainingRound.Outcome first = round(false);
        TrainingRound.Version promoted = new TrainingRound.Version(1, weak.toBytes());
        TrainingRound.Version base = first.nextBase(new TrainingRound.Version(2, first.candidate().toBytes()), promoted);
        ReplayBuffer buffer = new ReplayBuffer(4_000, 1);
        List<Sample> heldOut = split(samples(train, 200, 2_500, false), buffer);
        // Labels that came after the base was trained: neither it nor v1 has seen them.
        List<Sample> unseen = samples(test, 0, 500, false);
        PromotionGate.Tally prior = new PromotionGate.Tally(7, 3);

        TrainingRound.Outcome outcome = new TrainingRound(new TrainingRound.Config(20, 64, 0.01f, 1), new PromotionGate(3))
                .run(base, promoted, 3, buffer, heldOut, new TrainingRound.Lineage(unseen, prior), List.of(), () -> false);

        // The trained base beats the weak v1 on the unseen labels: many more images it alone gets right.
        PromotionGate.Tally evidence = outcome.lineageEvidence();
        assertThat(evidence.candidateOnlyRight() - 7).isGreaterThan(evidence.promotedOnlyRight() - 3 + 50);
        assertThat(outcome.verdict().reason()).contains("its ancestors alone on " + evidence.candidateOnlyRight());
        assertThat(outcome.nextLineageEvidence()).as("promoted: the next round starts afresh").isEqualTo(
                outcome.verdict().promote() ? PromotionGate.Tally.NONE : evidence);
    }

    @Test
    void anImageHeldOutAgainAndAgainIsJudgedOnceWithItsLatestLabel() {
        Sample first = new Sample("a", new byte[] {1, 2}, "Bag");
        Sample other = new Sample("b", new byte[] {3, 4}, "Coat");
        Sample again = new Sample("c", new byte[] {1, 2}, "Sneaker");

        assertThat(TrainingRound.distinct(List.of(first, other, again))).containsExactly(other, again);
    }

    @Test
    void aCandidateFineTunedOnShuffledLabelsIsNotPromoted() throws Exception {
        TrainingRound.Outcome outcome = round(true);

        assertThat(outcome.verdict().promote()).as(outcome.verdict().reason()).isFalse();
    }

    @Test
    void aRoundWithTheBodyFrozenChangesOnlyTheHead() throws Exception {
        ReplayBuffer buffer = new ReplayBuffer(1_000, 1);
        samples(train, 200, 1_200, false).forEach(buffer::add);
        TrainingRound round = new TrainingRound(new TrainingRound.Config(20, 32, 0.01f, 1, TransferLearning.BODY),
                new PromotionGate(3));
        TrainingRound.Version v1 = new TrainingRound.Version(1, weak.toBytes());

        ModelFile candidate = round.run(v1, v1, 2, buffer, samples(train, 0, 200, false), List.of(), () -> false).candidate();

        List<Network.NamedTensor> before = weak.network().state();
        List<Network.NamedTensor> after = candidate.network().state();
        Network network = candidate.network();
        String head = network.graph().producer(network.logitsValue()).name() + ".";
        for (int t = 0; t < before.size(); t++) {
            boolean inHead = before.get(t).name().startsWith(head);
            assertThat(Arrays.equals(after.get(t).values(), before.get(t).values())).as(before.get(t).name()).isEqualTo(!inHead);
        }
    }

    /**
     * A class held back from the model (Ankle boot) arrives in the stream: the round grows the head by it,
     * the candidate predicts it, keeps the old classes within a point, and the growth gate promotes it.
     */
    @Test
    void aRoundGrowsTheHeadByANewClassAndLearnsItWithoutForgettingTheOldOnes() throws Exception {
        List<String> nine = Dataset.FASHION_MNIST_CLASSES.subList(0, 9);
        Network network = NetworkSpec.builtIn("lenet5", 1);
        new Initializer(Initializer.Scheme.HE, 1).initialise(network.graph());
        network = TransferLearning.withNewHead(network, 9, 1);
        new Trainer(network, Normalisation.FASHION_MNIST, new Trainer.Config(2, 64, LearningRateSchedule.constant(1e-3f),
                Adam.adam(0f), Augmentation.NONE, 0f, 1)).fit(withoutAnkleBoots(train.head(400), nine), null, new Trainer.Listener() { });
        ModelFile nineClasses = new ModelFile(network, Normalisation.FASHION_MNIST, nine,
                new ModelInfo("grow-test", 1, null, Instant.now(), Map.of()));
        ReplayBuffer buffer = new ReplayBuffer(4_000, 1);
        List<Sample> heldOut = split(samples(train, 400, 1_000, false), buffer);
        TrainingRound round = new TrainingRound(new TrainingRound.Config(150, 64, 0.01f, 1), new PromotionGate(3));
        TrainingRound.Version v1 = new TrainingRound.Version(1, nineClasses.toBytes());

        TrainingRound.Outcome outcome = round.run(v1, v1, 2, buffer, heldOut, List.of("Ankle boot"), () -> false);

        ModelFile candidate = outcome.candidate();
        assertThat(candidate.classNames()).hasSize(10).endsWith("Ankle boot").startsWith(nine.toArray(String[]::new));
        assertThat(outcome.verdict().promote()).as(outcome.verdict().reason()).isTrue();
        Evaluation grown = Evaluator.evaluate(candidate.network(), test, candidate.normalisation(), 256);
        Evaluation before = Evaluator.evaluate(nineClasses.network(), withoutAnkleBoots(test, Dataset.FASHION_MNIST_CLASSES),
                nineClasses.normalisation(), 256);
        Evaluation after = Evaluator.evaluate(candidate.network(), withoutAnkleBoots(test, Dataset.FASHION_MNIST_CLASSES),
                candidate.normalisation(), 256);
        assertThat(grown.perClassAccuracy()[9]).as("test ankle boots found").isGreaterThan(0.5);
        assertThat(after.accuracy()).as("old classes on the test set (before: %.3f)", before.accuracy())
                .isGreaterThan(before.accuracy() - 0.01);
    }

    /** {@code data} without its ankle boots (class 9), its labels the places of their names in {@code classes}. */
    private static Dataset withoutAnkleBoots(Dataset data, List<String> classes) {
        return NewClassCurve.relabelled(data, i -> true, 9, classes);
    }

    @Test
    void aRoundAskedToStopEndsWithoutACandidate() {
        ReplayBuffer buffer = new ReplayBuffer(100, 1);
        samples(train, 0, 100, false).forEach(buffer::add);
        TrainingRound round = new TrainingRound(new TrainingRound.Config(50, 16, 0.01f, 1), new PromotionGate(3));
        int[] steps = {0};

        TrainingRound.Version v1 = new TrainingRound.Version(1, weak.toBytes());
        assertThatThrownBy(() -> round.run(v1, v1, 2, buffer,
                        samples(train, 100, 150, false), List.of(), () -> ++steps[0] >= 3))
                .isInstanceOf(RoundCancelledException.class).hasMessageContaining("at step 3 of 50");
    }
}
