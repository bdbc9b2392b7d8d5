package pipeline.convnet.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import pipeline.convnet.kernel.Pooling;
import pipeline.convnet.tensor.Tensor;

/**
 * Convolution examples small enough to check by hand, and the lectures' worked examples
 * ({@code ../shared/lecture/EXAMPLES.md}). Layers compute cross-correlation, as every framework does.
 */
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

    // The worked examples of ../shared/lecture/EXAMPLES.md, with their inputs and outputs as given there.

    @Test
    void theLecturesDifferentialOperatorsInOneDimension() {
        assertThat(conv1d(new float[] {-1, 1}, 0, 0, 0, 0, 1, 2, 3, 4, 4, 4, 4).data())
                .containsExactly(0, 0, 0, 1, 1, 1, 1, 0, 0, 0);
        assertThat(conv1d(new float[] {1, 0, 1}, 0, 0, 3, 0, 0, 0, 0, 0, 3, 0, 3, 0, 0, 0).data())
                .containsExactly(3, 0, 3, 0, 0, 0, 3, 0, 6, 0, 3, 0);
    }

    @Test
    void theLecturesTwoDimensionalExampleIsAProductWithItsConvolutionMatrix() {
        Conv2d conv = Conv2d.square(1, 1, 3, 1, 0, 1, 1, false);
        System.arraycopy(new float[] {1, 4, 1, 1, 4, 3, 3, 3, 1}, 0, conv.weight().value().data(), 0, 9);
        Tensor x = new Tensor(new float[] {4, 5, 8, 7, 1, 8, 8, 8, 3, 6, 6, 4, 6, 5, 7, 8}, 1, 1, 4, 4);

        assertThat(conv.forward(x, Mode.TRAIN).data()).containsExactly(122, 148, 126, 134);

        // Output i is row i of the 4×16 matrix U times x flattened, so ∂out_i/∂x, the input gradient of a
        // one-hot upstream gradient, is that row: the backward pass gives U, as a convolution.
        float[][] u = {
            {1, 4, 1, 0, 1, 4, 3, 0, 3, 3, 1, 0, 0, 0, 0, 0},
            {0, 1, 4, 1, 0, 1, 4, 3, 0, 3, 3, 1, 0, 0, 0, 0},
            {0, 0, 0, 0, 1, 4, 1, 0, 1, 4, 3, 0, 3, 3, 1, 0},
            {0, 0, 0, 0, 0, 1, 4, 1, 0, 1, 4, 3, 0, 3, 3, 1}};
        for (int i = 0; i < 4; i++) {
            Tensor oneHot = Tensor.zeros(1, 1, 2, 2);
            oneHot.data()[i] = 1;
            assertThat(conv.backward(oneHot).data()).as("row %d of U", i).containsExactly(u[i]);
        }
    }

    @Test
    void theLecturesHorizontalEdgeExample() {
        Conv2d conv = Conv2d.square(1, 1, 3, 1, 0, 1, 1, false);
        System.arraycopy(new float[] {1, 1, 1, 0, 0, 0, -1, -1, -1}, 0, conv.weight().value().data(), 0, 9);
        Tensor x = new Tensor(new float[] {
            1, 2, 5, 1, 4, 2,
            0, 2, 3, 2, 0, 0,
            4, 5, 5, 9, 8, 1,
            6, 3, 4, 2, 3, 1,
            0, 1, 9, 8, 7, 2,
            2, 3, 5, 5, 5, 6}, 1, 1, 6, 6);

        assertThat(conv.forward(x, Mode.INFER).data()).containsExactly(
                -6, -11, -12, -11,
                -8, -2, -4, -4,
                4, 1, -2, 1,
                3, -4, -6, -10);
    }

    @Test
    void theLecturesXThroughThreeFiltersReluAndCeilModePooling() {
        float[] image = new float[81];
        Arrays.fill(image, -1);
        for (int i = 1; i < 8; i++) {
            image[i * 9 + i] = 1;
            image[i * 9 + 8 - i] = 1;
        }
        Conv2d conv = Conv2d.square(1, 3, 3, 1, 0, 1, 1, false);
        float[] filters = {
            1, -1, -1, -1, 1, -1, -1, -1, 1,
            1, -1, 1, -1, 1, -1, 1, -1, 1,
            -1, -1, 1, -1, 1, -1, 1, -1, -1};
        for (int i = 0; i < filters.length; i++) {
            conv.weight().value().data()[i] = filters[i] / 9f;
        }
        int[] f1 = {
            7, -1, 1, 3, 5, -1, 3,
            -1, 9, -1, 3, -1, 1, -1,
            1, -1, 9, -3, 1, -1, 5,
            3, 3, -3, 5, -3, 3, 3,
            5, -1, 1, -3, 9, -1, 1,
            -1, 1, -1, 3, -1, 9, -1,
            3, -1, 5, 3, 1, -1, 7};
        int[] f2 = {
            3, -5, 1, -1, 1, -5, 3,
            -5, 5, -5, 3, -5, 5, -5,
            1, -5, 5, -7, 5, -5, 1,
            -1, 3, -7, 9, -7, 3, -1,
            1, -5, 5, -7, 5, -5, 1,
            -5, 5, -5, 3, -5, 5, -5,
            3, -5, 1, -1, 1, -5, 3};
        int[] f3 = new int[49];
        for (int r = 0; r < 7; r++) {
            for (int c = 0; c < 7; c++) {
                f3[r * 7 + c] = f1[r * 7 + 6 - c];
            }
        }

        Tensor maps = conv.forward(new Tensor(image, 1, 1, 9, 9), Mode.INFER);
        assertNinths(maps, 0, f1);
        assertNinths(maps, 1, f2);
        assertNinths(maps, 2, f3);

        Tensor rectified = new Activation.Relu().forward(maps, Mode.INFER);
        for (int i = 0; i < maps.size(); i++) {
            assertThat(rectified.data()[i]).isEqualTo(Math.max(0f, maps.data()[i]));
        }

        MaxPool2d pool = new MaxPool2d(Pooling.Slide.of(2, 2, 0), Pooling.Slide.of(2, 2, 0), true);
        Tensor pooled = pool.forward(maps, Mode.INFER);
        assertThat(pooled.shape()).containsExactly(1, 3, 4, 4);
        assertNinths(pooled, 0, new int[] {9, 3, 5, 3, 3, 9, 3, 5, 5, 3, 9, 1, 3, 5, 1, 7});
        assertNinths(pooled, 1, new int[] {5, 3, 5, 3, 3, 9, 5, 1, 5, 5, 5, 1, 3, 1, 1, 3});
        assertNinths(pooled, 2, new int[] {3, 5, 9, 7, 5, 5, 9, 3, 9, 9, 1, 5, 7, 3, 5, 3});
    }

    /** Channel {@code channel} of {@code [1, C, H, W]} equals {@code ninths / 9} to float rounding. */
    private static void assertNinths(Tensor maps, int channel, int[] ninths) {
        int plane = maps.dim(2) * maps.dim(3);
        for (int i = 0; i < plane; i++) {
            assertThat(maps.data()[channel * plane + i]).as("channel %d, position %d", channel, i)
                    .isCloseTo(ninths[i] / 9f, offset(1e-6f));
        }
    }

    private static Tensor conv1d(float[] kernel, float... signal) {
        Conv1d conv = new Conv1d(1, 1, kernel.length, 1, 0, 1, 1, false);
        System.arraycopy(kernel, 0, conv.parameters().getFirst().value().data(), 0, kernel.length);
        return conv.forward(new Tensor(signal, 1, 1, signal.length), Mode.INFER);
    }
}
