package pipeline.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import pipeline.convnet.train.Evaluation;

class PromotionGateTest {

    /** An evaluation of 100 images (true class 0) of which the first {@code right} are predicted right. */
    static Evaluation rightOnFirst(int right, int offset) {
        int[] predictions = new int[100];
        for (int i = 0; i < 100; i++) {
            boolean isRight = i >= offset && i < offset + right;
            predictions[i] = isRight ? 0 : 1;
        }
        return new Evaluation(new int[2][2], 0, List.of("a", "b"), predictions);
    }

    static final int[] LABELS = new int[100];

    @Test
    void atZeroStandardErrorsACandidateAtLeastAsAccuratePasses() {
        PromotionGate gate = new PromotionGate(0);

        assertThat(gate.judge(rightOnFirst(50, 0), rightOnFirst(50, 10), LABELS).promote()).isTrue();
        assertThat(gate.judge(rightOnFirst(50, 0), rightOnFirst(49, 0), LABELS).promote()).isFalse();
    }

    @Test
    void aSmallGainOnAFewDisagreementsIsNotEnoughAtThreeStandardErrors() {
        PromotionGate gate = new PromotionGate(3);

        // Promoted right on 0..49, candidate on 5..59: b = 10, c = 5: +5 < 3·√15 = 11.6.
        PromotionGate.Verdict small = gate.judge(rightOnFirst(50, 0), rightOnFirst(55, 5), LABELS);
        assertThat(small.promote()).isFalse();
        assertThat(small.candidateOnlyRight()).isEqualTo(10);
        assertThat(small.promotedOnlyRight()).isEqualTo(5);
        assertThat(small.reason()).contains("candidate alone is right on 10", "promoted version alone on 5", "+5 <");
        // The test's power: 3·√15 = 11.6 images of 100, a lead of 11.62 points.
        assertThat(small.reason()).contains("on 100 held-out images a lead of 11.62 points is provable");

        // Promoted right on 0..29, candidate on 0..69: b = 40, c = 0: +40 ≥ 3·√40 = 19.
        assertThat(gate.judge(rightOnFirst(30, 0), rightOnFirst(70, 0), LABELS).promote()).isTrue();
    }

    @Test
    void evidenceTheLineageGatheredOnLabelsNeitherHadSeenAddsToTheHeldOutSet() {
        PromotionGate gate = new PromotionGate(3);
        // Held out: b = 10, c = 5, +5 < 3·√15. Earlier rounds' new labels: ancestors alone right on 60, promoted on 30.
        PromotionGate.Tally lineage = new PromotionGate.Tally(60, 30);

        assertThat(gate.judge(rightOnFirst(50, 0), rightOnFirst(55, 5), LABELS).promote()).isFalse();
        PromotionGate.Verdict verdict = gate.judge(rightOnFirst(50, 0), rightOnFirst(55, 5), LABELS, lineage);
        // 70 − 35 = +35 ≥ 3·√105 = 30.7
        assertThat(verdict.promote()).as(verdict.reason()).isTrue();
        assertThat(verdict.reason()).contains("its ancestors alone on 60, the promoted version alone on 30", "+35 ≥ 30.7");
        assertThat(verdict.candidateOnlyRight()).as("the held-out counts, as published").isEqualTo(10);
    }

    @Test
    void aCandidateBehindOnTheHeldOutSetIsNotPromotedWhateverItsLineageShowed() {
        // Held out: promoted right on 0..49, candidate on 3..50: b = 1, c = 3.
        PromotionGate.Verdict verdict = new PromotionGate(3).judge(rightOnFirst(50, 0), rightOnFirst(48, 3), LABELS,
                new PromotionGate.Tally(500, 100));

        assertThat(verdict.promote()).isFalse();
    }

    @Test
    void evaluationsOfDifferentSetsCannotBeCompared() {
        Evaluation other = new Evaluation(new int[2][2], 0, List.of("a", "b"), new int[50]);

        assertThatThrownBy(() -> new PromotionGate(3).judge(rightOnFirst(1, 0), other, LABELS))
                .hasMessageContaining("same 100 held-out images; got 100 and 50");
        assertThatThrownBy(() -> new PromotionGate(-1)).hasMessageContaining("0 or more standard errors; got -1.0");
    }
}
