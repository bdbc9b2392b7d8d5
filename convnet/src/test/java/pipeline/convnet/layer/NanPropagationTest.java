package pipeline.convnet.layer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import pipeline.convnet.tensor.Tensor;

/** A NaN reaching a layer comes out as NaN, as in PyTorch, so broken weights or inputs are never masked. */
class NanPropagationTest {

    @Test
    void reluPassesNaNThrough() {
        Tensor y = new Activation.Relu().forward(new Tensor(new float[] {Float.NaN, -1f, 2f}, 3), Mode.INFER);

        assertThat(y.data()[0]).isNaN();
        assertThat(y.data()[1]).isZero();
        assertThat(y.data()[2]).isEqualTo(2f);
    }

    @Test
    void maxPoolingLetsNaNWinItsWindow() {
        Tensor y = new MaxPool2d(2, 2, 0).forward(new Tensor(new float[] {1f, 5f, Float.NaN, 3f}, 1, 1, 2, 2), Mode.INFER);

        assertThat(y.data()[0]).isNaN();
    }
}
