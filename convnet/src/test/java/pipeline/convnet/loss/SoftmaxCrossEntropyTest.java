package pipeline.convnet.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import pipeline.convnet.tensor.Tensor;

class SoftmaxCrossEntropyTest {

    @Test
    void equalLogitsCostLogK() {
        var result = new SoftmaxCrossEntropy(0f).compute(new Tensor(new float[] {0, 0, 0, 0}, 1, 4), new int[] {2});

        assertThat((double) result.loss()).isCloseTo(Math.log(4), within(1e-6));
        assertThat(result.gradLogits().data()).containsExactly(0.25f, 0.25f, -0.75f, 0.25f);
    }

    @Test
    void hugeLogitsStayFinite() {
        var result = new SoftmaxCrossEntropy(0f).compute(new Tensor(new float[] {1000, 0, -1000, 1000}, 2, 2), new int[] {0, 0});

        assertThat(result.loss()).isFinite();
        // Sample 0 is certain and right (0); sample 1 is certain and wrong (2000).
        assertThat((double) result.loss()).isCloseTo(1000, within(1e-3));
    }

    @Test
    void labelSmoothingSpreadsEpsilonOverTheClasses() {
        var result = new SoftmaxCrossEntropy(0.1f).compute(new Tensor(new float[] {0, 0}, 1, 2), new int[] {0});

        // Targets 0.95 and 0.05 against probabilities 0.5 and 0.5.
        assertThat((double) result.loss()).isCloseTo(Math.log(2), within(1e-6));
        assertThat(result.gradLogits().data()).containsExactly(-0.45f, 0.45f);
    }

    @Test
    void gradientMatchesFiniteDifferencesAveragedOverTheBatch() {
        float[] logits = {0.3f, -1.2f, 2.0f, 0.5f, 0.1f, -0.4f};
        int[] labels = {2, 0};
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(0.05f);
        float[] analytic = loss.compute(new Tensor(logits.clone(), 2, 3), labels).gradLogits().data();
        for (int i = 0; i < logits.length; i++) {
            float[] plus = logits.clone();
            float[] minus = logits.clone();
            plus[i] += 1e-3f;
            minus[i] -= 1e-3f;
            double numeric = (loss.compute(new Tensor(plus, 2, 3), labels).loss()
                    - loss.compute(new Tensor(minus, 2, 3), labels).loss()) / 2e-3;
            assertThat((double) analytic[i]).as("d loss / d logit %d", i).isCloseTo(numeric, within(1e-3));
        }
    }

    @Test
    void aLabelOutsideTheClassesIsNamed() {
        assertThatThrownBy(() -> new SoftmaxCrossEntropy(0f).compute(Tensor.zeros(1, 10), new int[] {10}))
                .hasMessageContaining("label 10 of sample 0 is not a class index from 0 to 9");
    }
}
