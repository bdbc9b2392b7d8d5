package pipeline.convnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The clipped-window pooling loops equal the pair-by-pair reference bit for bit, with padding,
 * overlapping and partial windows, ties, and NaN (which must win a max window), with and without positions.
 */
class PoolingTest {

    @ParameterizedTest(name = "{0}×{1} kernel {2} stride {3} padding {4}")
    @CsvSource({"28, 28, 2, 2, 0", "7, 9, 3, 2, 1", "10, 10, 3, 1, 1", "5, 4, 2, 3, 1", "6, 6, 3, 3, 0"})
    void clippedLoopsEqualThePairByPairReference(int h, int w, int kernel, int stride, int pad) {
        int outH = (h + 2 * pad - kernel) / stride + 1;
        int outW = (w + 2 * pad - kernel) / stride + 1;
        Pooling.Window window = new Pooling.Window(h, w, kernel, stride, pad, outH, outW);
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

        PoolingReference.average(window, in, expected, planes);
        Pooling.average(window, in, actual, 0, planes);
        assertThat(actual).usingElementComparator(Float::compare).containsExactly(expected);

        float[] expectedGrad = new float[in.length];
        float[] actualGrad = new float[in.length];
        PoolingReference.averageBackward(window, gradOut, expectedGrad, planes);
        Pooling.averageBackward(window, gradOut, actualGrad, 0, planes);
        assertThat(actualGrad).usingElementComparator(Float::compare).containsExactly(expectedGrad);
    }
}
