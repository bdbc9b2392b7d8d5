package pipeline.convnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The clipped-window pooling loops equal the tap-by-tap reference bit for bit, with padding (asymmetric
 * too), rectangular, dilated, overlapping and partial windows, ceil mode, ties, and NaN (which must win
 * a max window), with and without positions; averages with and without the padding counted.
 */
class PoolingTest {

    @ParameterizedTest(name = "{0}×{1} kernel {2}×{3} stride {4} dilation {5} padding {6}/{7} ceil {8}")
    @CsvSource({"28, 28, 2, 2, 2, 1, 0, 0, false", "7, 9, 3, 3, 2, 1, 1, 1, false", "10, 10, 3, 3, 1, 1, 1, 1, false",
            "5, 4, 2, 2, 3, 1, 1, 1, false", "6, 6, 3, 3, 3, 1, 0, 0, false", "7, 7, 2, 2, 2, 1, 0, 0, true",
            "8, 9, 3, 3, 2, 2, 1, 1, true", "9, 7, 3, 2, 2, 1, 0, 1, true", "6, 11, 2, 3, 1, 3, 2, 1, false",
            "13, 5, 4, 2, 3, 2, 2, 0, true"})
    void clippedLoopsEqualTheTapByTapReference(int h, int w, int kernelH, int kernelW, int stride, int dilation,
                                               int padBefore, int padAfter, boolean ceil) {
        Pooling.Window window = new Pooling.Window(
                new Pooling.Slide(kernelH, stride, dilation, padBefore, padAfter).over("pool", h, ceil),
                new Pooling.Slide(kernelW, stride, dilation, padAfter, padBefore).over("pool", w, ceil));
        int outH = window.outH();
        int outW = window.outW();
        int planes = 3;
        SplittableRandom random = new SplittableRandom(h * 17L + w);
        float[] in = new float[planes * h * w];
        for (int i = 0; i < in.length; i++) {
            int roll = random.nextInt(20);
            in[i] = roll == 0 ? Float.NaN : roll < 5 ? 1f : (float) random.nextGaussian();
        }
        float[] gradOut = new float[planes * outH * outW];
        for (int i = 0; i < gradOut.length; i++) {
            gradOut[i] = (float) random.nextGaussian();
        }
        int outputs = gradOut.length;

        float[] expected = new float[outputs];
        float[] actual = new float[outputs];
        int[] expectedArg = new int[outputs];
        int[] actualArg = new int[outputs];
        PoolingReference.max(window, in, expected, expectedArg, planes);
        Pooling.max(window, in, actual, actualArg, 0, planes);
        assertThat(actual).usingElementComparator(Float::compare).containsExactly(expected);
        assertThat(actualArg).containsExactly(expectedArg);
        float[] valuesOnly = new float[outputs];
        Pooling.max(window, in, valuesOnly, null, 0, planes);
        assertThat(valuesOnly).as("maxima without positions (inference)").usingElementComparator(Float::compare)
                .containsExactly(expected);

        for (boolean countPadding : new boolean[] {true, false}) {
            PoolingReference.average(window, countPadding, in, expected, planes);
            Pooling.average(window, countPadding, in, actual, 0, planes);
            assertThat(actual).as("average, padding counted: " + countPadding).usingElementComparator(Float::compare)
                    .containsExactly(expected);

            float[] expectedGrad = new float[in.length];
            float[] actualGrad = new float[in.length];
            PoolingReference.averageBackward(window, countPadding, gradOut, expectedGrad, planes);
            Pooling.averageBackward(window, countPadding, gradOut, actualGrad, 0, planes);
            assertThat(actualGrad).as("average's gradient, padding counted: " + countPadding)
                    .usingElementComparator(Float::compare).containsExactly(expectedGrad);
        }
    }

    @Test
    void ceilModeRoundsUpButDropsAWindowStartingInTheTrailingPadding() {
        assertThat(Pooling.Slide.of(2, 2, 0).over("pool", 7, false).out()).isEqualTo(3);
        assertThat(Pooling.Slide.of(2, 2, 0).over("pool", 7, true).out()).isEqualTo(4);
        assertThat(Pooling.Slide.of(2, 2, 1).over("pool", 5, true).out()).as("(5 + 2 − 2) / 2 rounds up to 4 windows;"
                + " the fourth would start in the padding").isEqualTo(3);
        assertThat(new Pooling.Slide(3, 1, 2, 0, 0).over("pool", 7, false).out()).as("dilated span 5").isEqualTo(3);
    }

    @Test
    void aWindowOverNothingButPaddingIsRefused() {
        assertThatThrownBy(() -> new Pooling.Slide(1, 1, 1, 2, 0).over("maxpool2d(…)", 3, false))
                .hasMessageContaining("maxpool2d(…): window 0 over an input of size 3 covers only padding");
        assertThatThrownBy(() -> Pooling.Slide.of(5, 1, 0).over("maxpool2d(…)", 3, false))
                .hasMessageContaining("input size 3 with padding 0+0 is smaller than the window's span 5");
        assertThatThrownBy(() -> new Pooling.Slide(2, 0, 1, 0, 0)).hasMessageContaining("stride 0");
    }
}
