package pipeline.convnet.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import pipeline.convnet.tensor.Tensor;

/** Convolution examples small enough to check by hand. Layers compute cross-correlation, as every framework does. */
class LectureExamplesTest {

    @Test
    void aDifferenceKernelFindsWhereASignalRises() {
        Conv1d conv = new Conv1d(1, 1, 2, 1, 0, 1, 1, false);
        conv.parameters().getFirst().value().data()[0] = -1;
        conv.parameters().getFirst().value().data()[1] = 1;

        Tensor y = conv.forward(new Tensor(new float[] {0, 0, 0, 0, 1, 2, 3, 4, 4, 4, 4}, 1, 1, 11), Mode.INFER);

        // y[i] = x[i+1] − x[i]: 1 on the ramp, 0 on the flats.
        assertThat(y.data()).containsExactly(0, 0, 0, 1, 1, 1, 1, 0, 0, 0);
    }

    @Test
    void theOneZeroOneTemplateRespondsMostWhereThePatternIs() {
        Conv1d conv = new Conv1d(1, 1, 3, 1, 0, 1, 1, false);
        float[] kernel = conv.parameters().getFirst().value().data();
        kernel[0] = 1;
        kernel[1] = 0;
        kernel[2] = 1;

        Tensor y = conv.forward(new Tensor(new float[] {0, 1, 0, 1, 0, 0, 1, 1, 1, 0}, 1, 1, 10), Mode.INFER);

        // y[i] = x[i] + x[i+2]: 2 exactly where "1 ? 1" starts (positions 1 and 6).
        assertThat(y.data()).containsExactly(0, 2, 0, 1, 1, 1, 2, 1);
    }

    @Test
    void aTwoByTwoKernelOverAThreeByThreeImage() {
        Conv2d conv = Conv2d.square(1, 1, 2, 1, 0, 1, 1, false);
        System.arraycopy(new float[] {0, 1, 2, 3}, 0, conv.weight().value().data(), 0, 4);

        Tensor y = conv.forward(new Tensor(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8}, 1, 1, 3, 3), Mode.INFER);

        // 0·0 + 1·1 + 3·2 + 4·3 = 19, and so on.
        assertThat(y.data()).containsExactly(19, 25, 37, 43);
    }

    @Test
    void theHorizontalEdgeKernelLightsUpWhereBrightMeetsDark() {
        Conv2d conv = Conv2d.square(1, 1, 3, 1, 0, 1, 1, false);
        System.arraycopy(new float[] {1, 1, 1, 0, 0, 0, -1, -1, -1}, 0, conv.weight().value().data(), 0, 9);
        float[] image = new float[36];
        Arrays.fill(image, 0, 18, 10f);

        Tensor y = conv.forward(new Tensor(image, 1, 1, 6, 6), Mode.INFER);

        // Output row r sees input rows r..r+2: the edge between rows 2 and 3 is seen by rows 1 and 2.
        assertThat(y.data()).containsExactly(0, 0, 0, 0, 30, 30, 30, 30, 30, 30, 30, 30, 0, 0, 0, 0);
    }

    @Test
    void outputSizeFollowsTheFormulaForStridePaddingAndDilation() {
        // ⌊(H + 2P − D(K−1) − 1)/S⌋ + 1: 28 with K5 P2 → 28; 32 with K3 S2 P1 → 16; 10 with K3 D2 → 6.
        assertThat(Conv2d.square(1, 1, 5, 1, 2, 1, 1, true).outputShape(new int[] {1, 1, 28, 28})).containsExactly(1, 1, 28, 28);
        assertThat(Conv2d.square(1, 1, 3, 2, 1, 1, 1, true).outputShape(new int[] {1, 1, 32, 32})).containsExactly(1, 1, 16, 16);
        assertThat(Conv2d.square(1, 1, 3, 1, 0, 2, 1, true).outputShape(new int[] {1, 1, 10, 10})).containsExactly(1, 1, 6, 6);
    }

    @Test
    void aShapeMismatchNamesTheLayerAndBothShapes() {
        Sequential net = Sequential.of(new Flatten(), new Linear(784, 10, true));

        assertThatThrownBy(() -> net.forward(Tensor.zeros(2, 3, 28, 28), Mode.INFER))
                .hasMessageContaining("layer 2 of 2")
                .hasMessageContaining("linear(784→10)")
                .hasMessageContaining("expects input of shape [N, 784] but got [2, 2352]");
        assertThatThrownBy(() -> Conv2d.square(3, 6, 5, 1, 0, 1, 1, true).forward(Tensor.zeros(1, 1, 28, 28), Mode.INFER))
                .hasMessageContaining("expects input of shape [N, 3, ?, ?] but got [1, 1, 28, 28]");
        assertThatThrownBy(() -> Conv2d.square(1, 1, 5, 1, 0, 1, 1, true).forward(Tensor.zeros(1, 1, 3, 3), Mode.INFER))
                .hasMessageContaining("input size 3 with padding 0 is smaller than the kernel's span 5");
    }
}
