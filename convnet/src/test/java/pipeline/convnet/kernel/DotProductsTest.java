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
 * and several column tiles, and with B's rows anywhere over several segments; and its sums do not
 * depend on the thread count (nor on whether the JIT has compiled it yet).
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
    void addsSegmentsWhoseRowsOfBAreAnywhere() {
        SplittableRandom random = new SplittableRandom(11);
        int m = 6;
        int n = 23;
        int segments = 3;
        int len = 45;
        int bSegment = 400;
        float[] a = GemmTest.random(random, segments * m * len);
        float[] b = GemmTest.random(random, segments * bSegment + len);
        int[] bRows = new int[n];
        for (int j = 0; j < n; j++) {
            bRows[j] = (j * 37) % 350;
        }
        float[] c = GemmTest.random(random, m * n);
        float[] expected = c.clone();
        for (int s = 0; s < segments; s++) {
            // Segment s copied out: B_s[j, p] = b[s·bSegment + bRows[j] + p]
            float[] bs = new float[n * len];
            for (int j = 0; j < n; j++) {
                System.arraycopy(b, s * bSegment + bRows[j], bs, j * len, len);
            }
            GemmReference.gemm(false, true, m, n, len, 1f, a, s * m * len, len, bs, 0, len, 1f, expected, 0, n);
        }

        DotProducts.accumulateRows(m, n, segments, len, a, 0, m * len, len, b, 0, bSegment, bRows, c, 0, n);

        for (int i = 0; i < c.length; i++) {
            assertThat(c[i]).as("element %d", i).isCloseTo(expected[i], offset(1e-4f));
        }
    }

    @Test
    void sumsAreTheSameOnOneAndTwoThreads() {
        SplittableRandom random = new SplittableRandom(5);
        int m = 16;
        int n = 150;
        int k = 5003;
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
