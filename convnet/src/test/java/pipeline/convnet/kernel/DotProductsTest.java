package pipeline.convnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The dot-product kernel adds {@code A·Bᵀ} to C as the scalar reference does, on sizes that leave
 * partial blocks ({@code m}, {@code n} not multiples of 4), a scalar tail of k, several slices of k
 * and several column tiles; and its sums do not depend on the thread count.
 */
class DotProductsTest {

    @AfterEach
    void restoreThreads() {
        Parallelism.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @ParameterizedTest(name = "m={0} n={1} k={2}")
    @CsvSource({"1, 1, 1", "3, 5, 17", "16, 144, 3136", "6, 25, 2500", "7, 130, 1031", "64, 576, 200", "5, 3, 4099"})
    void addsTheProductWithBTransposedToC(int m, int n, int k) {
        SplittableRandom random = new SplittableRandom(m * 131L + n * 17L + k);
        int lda = k + 3;
        int ldb = k + 5;
        int ldc = n + 2;
        float[] a = GemmTest.random(random, 4 + m * lda);
        float[] b = GemmTest.random(random, 1 + n * ldb);
        float[] c = GemmTest.random(random, 2 + m * ldc);
        float[] expected = c.clone();
        float[] actual = c.clone();

        GemmReference.gemm(false, true, m, n, k, 1f, a, 4, lda, b, 1, ldb, 1f, expected, 2, ldc);
        DotProducts.accumulate(m, n, k, a, 4, lda, b, 1, ldb, actual, 2, ldc);

        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], offset(1e-5f * (k + 1)));
        }
    }

    @Test
    void sumsAreTheSameOnOneAndTwoThreads() {
        SplittableRandom random = new SplittableRandom(5);
        int m = 16;
        int n = 150;
        int k = 5000;
        float[] a = GemmTest.random(random, m * k);
        float[] b = GemmTest.random(random, n * k);
        float[] one = new float[m * n];
        float[] two = new float[m * n];

        Parallelism.setThreads(1);
        DotProducts.accumulate(m, n, k, a, 0, k, b, 0, k, one, 0, n);
        Parallelism.setThreads(2);
        DotProducts.accumulate(m, n, k, a, 0, k, b, 0, k, two, 0, n);

        assertThat(two).containsExactly(one);
    }
}
