package pipeline.convnet.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import pipeline.convnet.layer.Parameter;
import pipeline.convnet.tensor.Tensor;

/** Each rule checked on f(w) = ½w², whose gradient is w, against values worked out by hand. */
class OptimizerTest {

    @Test
    void plainSgdScalesTheWeightByOneMinusLr() {
        Parameter w = parameter(1f, true);

        steps(new Sgd(0f, false, 0f), w, 0.1f, 2);

        assertThat((double) value(w)).isCloseTo(0.81, within(1e-6));
    }

    @Test
    void momentumFollowsPyTorchsRule() {
        // v1 = g0 = 1 → w1 = 0.9; g1 = 0.9, v2 = 0.9·1 + 0.9 = 1.8 → w2 = 0.9 − 0.18 = 0.72.
        Parameter w = parameter(1f, true);

        steps(new Sgd(0.9f, false, 0f), w, 0.1f, 2);

        assertThat((double) value(w)).isCloseTo(0.72, within(1e-6));
    }

    @Test
    void nesterovLooksAhead() {
        // v1 = 1, d = g + μ·v1 = 1.9 → w1 = 1 − 0.19 = 0.81.
        Parameter w = parameter(1f, true);

        steps(new Sgd(0.9f, true, 0f), w, 0.1f, 1);

        assertThat((double) value(w)).isCloseTo(0.81, within(1e-6));
    }

    @Test
    void weightDecaySparesParametersMarkedWithoutIt() {
        Parameter weight = parameter(1f, true);
        Parameter bias = parameter(1f, false);
        weight.zeroGrad();
        bias.zeroGrad();

        new Sgd(0f, false, 0.5f).step(List.of(weight, bias), 0.1f);

        assertThat((double) value(weight)).isCloseTo(0.95, within(1e-6));
        assertThat(value(bias)).isEqualTo(1f);
    }

    @Test
    void adamsFirstStepMovesEachWeightByTheLearningRate() {
        // m̂ = g and v̂ = g² on the first step, so the step is lr · g/|g|.
        Parameter w = parameter(3f, true);

        steps(Adam.adam(0f), w, 0.01f, 1);

        assertThat((double) value(w)).isCloseTo(2.99, within(1e-6));
    }

    @Test
    void adamWDecaysTheWeightItselfWhileAdamAddsDecayToTheGradient() {
        Parameter decoupled = parameter(2f, true);
        Parameter coupled = parameter(2f, true);
        decoupled.zeroGrad();
        coupled.zeroGrad();

        Adam.adamW(0.1f).step(List.of(decoupled), 0.01f);
        Adam.adam(0.1f).step(List.of(coupled), 0.01f);

        // AdamW with a zero gradient: w·(1 − lr·λ) = 1.998. Adam: gradient λw = 0.2, first step lr.
        assertThat((double) value(decoupled)).isCloseTo(1.998, within(1e-6));
        assertThat((double) value(coupled)).isCloseTo(1.99, within(1e-6));
    }

    @Test
    void schedulesGiveTheirRates() {
        LearningRateSchedule step = LearningRateSchedule.stepDecay(0.1f, 10, 0.5f);
        LearningRateSchedule cosine = LearningRateSchedule.cosine(0.1f, 100, 0f);
        LearningRateSchedule warm = LearningRateSchedule.constant(0.1f).withWarmup(4);

        assertThat(step.rate(9)).isEqualTo(0.1f);
        assertThat((double) step.rate(25)).isCloseTo(0.025, within(1e-7));
        assertThat(cosine.rate(0)).isEqualTo(0.1f);
        assertThat((double) cosine.rate(50)).isCloseTo(0.05, within(1e-7));
        assertThat(cosine.rate(100)).isZero();
        assertThat((double) warm.rate(0)).isCloseTo(0.025, within(1e-7));
        assertThat((double) warm.rate(3)).isCloseTo(0.1, within(1e-7));
        assertThat(warm.rate(10)).isEqualTo(0.1f);
    }

    private static Parameter parameter(float value, boolean decay) {
        return Parameter.of("w", new Tensor(new float[] {value}, 1), decay);
    }

    private static float value(Parameter p) {
        return p.value().data()[0];
    }

    /** Steps on f(w) = ½w²: the gradient is the weight. */
    private static void steps(Optimizer optimizer, Parameter w, float lr, int count) {
        for (int i = 0; i < count; i++) {
            w.grad().data()[0] = w.value().data()[0];
            optimizer.step(List.of(w), lr);
        }
    }
}
