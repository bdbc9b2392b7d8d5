package pipeline.convnet.init;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import pipeline.convnet.layer.Conv2d;
import pipeline.convnet.layer.Linear;
import pipeline.convnet.layer.Sequential;

class InitializerTest {

    @Test
    void heGivesStandardDeviationSqrtTwoOverFanIn() {
        Conv2d conv = Conv2d.square(32, 64, 3, 1, 1, 1, 1, true);

        new Initializer(Initializer.Scheme.HE, 1).initialise(conv);

        assertThat(std(conv.weight().value().data())).isCloseTo(Math.sqrt(2.0 / (32 * 9)), within(0.003));
    }

    @Test
    void xavierStaysWithinItsBound() {
        Linear linear = new Linear(300, 100, true);

        new Initializer(Initializer.Scheme.XAVIER, 1).initialise(linear);

        double bound = Math.sqrt(6.0 / 400);
        for (float w : linear.weight().value().data()) {
            assertThat((double) Math.abs(w)).isLessThanOrEqualTo(bound);
        }
        assertThat(std(linear.weight().value().data())).isCloseTo(bound / Math.sqrt(3), within(0.003));
    }

    @Test
    void theSameSeedGivesTheSameNetwork() {
        Sequential a = Sequential.of(Conv2d.square(1, 4, 3, 1, 1, 1, 1, true), new Linear(10, 3, true));
        Sequential b = Sequential.of(Conv2d.square(1, 4, 3, 1, 1, 1, 1, true), new Linear(10, 3, true));

        new Initializer(Initializer.Scheme.HE, 5).initialise(a);
        new Initializer(Initializer.Scheme.HE, 5).initialise(b);

        for (int i = 0; i < a.parameters().size(); i++) {
            assertThat(b.parameters().get(i).value().data()).containsExactly(a.parameters().get(i).value().data());
        }
    }

    private static double std(float[] values) {
        double mean = 0;
        for (float v : values) {
            mean += v;
        }
        mean /= values.length;
        double var = 0;
        for (float v : values) {
            var += (v - mean) * (v - mean);
        }
        return Math.sqrt(var / values.length);
    }
}
