package pipeline.convnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A row times a matrix equals its scalar reference bit for bit, and the packed GEMM on the same
 * operands ({@code C = y + x·B}, a one-row A): serving a batch of one gives the logits a larger batch gives.
 */
class RowTimesMatrixTest {

    @ParameterizedTest(name = "k {0}, width {1}")
    @CsvSource({"400, 1", "120, 2", "84, 1", "3, 4", "1, 1", "517, 3"})
    void vectorEqualsScalarReferenceAndTheGemm(int k, int blocks) {
        int width = blocks * RowTimesMatrix.WIDTH;
        SplittableRandom random = new SplittableRandom(k * 31L + width);
        float[] x = gaussian(random, k + 3);
        float[] b = gaussian(random, k * width + 5);
        float[] y0 = gaussian(random, width + 2);

        float[] expected = y0.clone();
        RowTimesMatrixReference.multiplyAdd(k, width, x, 3, b, 5, expected, 2);
        float[] actual = y0.clone();
        RowTimesMatrix.multiplyAdd(k, width, x, 3, b, 5, actual, 2);
        float[] gemm = y0.clone();
        Gemm.gemm(false, false, 1, width, k, 1f, x, 3, k, b, 5, width, 1f, gemm, 2, width);

        assertThat(actual).usingElementComparator(Float::compare).containsExactly(expected);
        assertThat(gemm).usingElementComparator(Float::compare).containsExactly(expected);
    }

    @Test
    void aWidthOfPartVectorsIsRefused() {
        int width = RowTimesMatrix.WIDTH + 3;
        assertThatThrownBy(() -> RowTimesMatrix.multiplyAdd(2, width, new float[2], 0, new float[2 * width], 0,
                new float[width], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("width " + width + " must be a multiple of " + RowTimesMatrix.WIDTH);
    }

    private static float[] gaussian(SplittableRandom random, int length) {
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
