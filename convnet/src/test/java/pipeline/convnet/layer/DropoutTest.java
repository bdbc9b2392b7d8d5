package pipeline.convnet.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import pipeline.convnet.tensor.Tensor;

class DropoutTest {

    @Test
    void trainingDropsAboutPAndScalesTheRestSoTheMeanIsKept() {
        Tensor ones = new Tensor(filled(10_000, 1f), 10_000);

        Tensor y = new Dropout(0.3f, 1).forward(ones, Mode.TRAIN);

        long dropped = count(y, 0f);
        assertThat(dropped / 10_000.0).isCloseTo(0.3, within(0.02));
        assertThat(count(y, 1f / 0.7f)).isEqualTo(10_000 - dropped);
    }

    @Test
    void backwardUsesTheSameMaskAndInferenceIsTheIdentity() {
        Dropout dropout = new Dropout(0.5f, 7);
        Tensor x = new Tensor(filled(100, 1f), 100);

        Tensor y = dropout.forward(x, Mode.TRAIN);
        Tensor g = dropout.backward(new Tensor(filled(100, 1f), 100));

        assertThat(g.data()).containsExactly(y.data());
        assertThat(dropout.forward(x, Mode.INFER).data()).containsExactly(x.data());
    }

    @Test
    void theSameSeedGivesTheSameMask() {
        Tensor x = new Tensor(filled(50, 1f), 50);

        assertThat(new Dropout(0.5f, 3).forward(x, Mode.TRAIN).data())
                .containsExactly(new Dropout(0.5f, 3).forward(x, Mode.TRAIN).data());
    }

    private static float[] filled(int n, float value) {
        float[] data = new float[n];
        Arrays.fill(data, value);
        return data;
    }

    private static long count(Tensor t, float value) {
        long count = 0;
        for (float v : t.data()) {
            if (v == value) {
                count++;
            }
        }
        return count;
    }
}
