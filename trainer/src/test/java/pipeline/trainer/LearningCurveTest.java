package pipeline.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import pipeline.convnet.data.Dataset;

class LearningCurveTest {

    @Test
    void aRunKnowsItsWorstPromotionAndHowFarBelowTheStartTheServedVersionFell() {
        LearningCurve.Run run = new LearningCurve.Run(List.of(
                point(0, 1, 0.800, 0.800, true),
                point(1000, 2, 0.830, 0.830, true),
                point(2000, 2, 0.830, 0.790, false),
                point(3000, 4, 0.825, 0.825, true)), null, 450);

        assertThat(run.finalTest()).isEqualTo(0.825);
        assertThat(run.worstPromotion()).as("v4 replaced v2 half a point lower").isCloseTo(0.005, within(1e-9));
        assertThat(run.lowestVsStart()).as("never below the start").isZero();
    }

    @Test
    void theSummaryGivesEachSeedAndTheMeanAndSpreadAgainstTheBaseline() {
        LearningCurve.Run first = new LearningCurve.Run(List.of(point(0, 1, 0.30, 0.30, true), point(1000, 2, 0.85, 0.85, true)), null, 150);
        LearningCurve.Run second = new LearningCurve.Run(List.of(point(0, 1, 0.40, 0.40, true), point(1000, 1, 0.40, 0.38, false)), null,
                150);
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        LearningCurve.summarise(List.of(1L, 2L), List.of(first, second), List.of(0.88, 0.86), new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("| 1 | 30.00% | 85.00% | 88.00% | -3.00 | none worse | +0.00 |")
                .contains("| 2 | 40.00% | 40.00% | 86.00% | -46.00 | none promoted | +0.00 |")
                .contains("| mean (min–max) | 35.00 (30.00–40.00) | 62.50 (40.00–85.00) | 87.00 (86.00–88.00) | -24.50 (-46.00–-3.00) | none worse |");
    }

    @Test
    void theOfflineBaselineLearnsTheSampleWellAboveChance() throws Exception {
        Dataset train = Dataset.readIdx(TrainingRoundTest.SAMPLE, "train", Dataset.FASHION_MNIST_CLASSES);
        Dataset test = Dataset.readIdx(TrainingRoundTest.SAMPLE, "t10k", Dataset.FASHION_MNIST_CLASSES);

        double accuracy = OfflineBaseline.testAccuracy(train, 400, test, 3);

        assertThat(accuracy).as("10 classes: chance is a tenth").isGreaterThan(0.65);
    }

    private static LearningCurve.Point point(long seen, int version, double promotedTest, double candidateTest, boolean promoted) {
        return new LearningCurve.Point(seen, version, promotedTest, candidateTest, promoted, Double.NaN, Double.NaN);
    }
}
