package pipeline.convnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The packed GEMM equals its scalar reference on odd sizes, for every transpose and scaling, and
 * across its blocking: several row tiles ({@code m > MC}), several k-slices ({@code k > KC}),
 * B read in place (few rows, B not transposed) and partial micro-panels.
 */
class GemmTest {

    @AfterEach
    void restoreThreads() {
        Parallelism.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4} alpha={5} beta={6}")
    @CsvSource({
            "1, 1, 1, false, false, 1, 0",
            "7, 13, 5, false, false, 1, 0",
            "33, 17, 65, false, true, 1, 0",
            "17, 33, 9, true, false, 0.5, 1",
            "31, 29, 37, true, true, -1, 0.25",
            "64, 100, 75, false, false, 2, 1",
            "3, 257, 19, false, true, 1, 1",
            "129, 3, 200, true, false, 1, 0",
            "150, 70, 400, false, false, 1, 0",
            "9, 1000, 200, true, false, 1, 0.5",
            "40, 33, 385, false, true, 1, 0"})
    void vectorEqualsScalarReference(int m, int n, int k, boolean transA, boolean transB, float alpha, float beta) {
        SplittableRandom random = new SplittableRandom(m * 31L + n * 7L + k);
        int aOff = 3;
        int bOff = 5;
        int cOff = 2;
        int lda = (transA ? m : k) + 1;
        int ldb = (transB ? k : n) + 2;
        int ldc = n + 3;
        float[] a = random(random, aOff + (transA ? k : m) * lda);
        float[] b = random(random, bOff + (transB ? n : k) * ldb);
        float[] c = random(random, cOff + m * ldc);
        float[] expected = c.clone();
        float[] actual = c.clone();

        GemmReference.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, expected, cOff, ldc);
        Gemm.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, actual, cOff, ldc);

        for (int i = 0; i < actual.length; i++) {
            float tolerance = 1e-4f * (k + 1);
            assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], offset(tolerance));
        }
    }

    @ParameterizedTest(name = "m={0} n={1} k={2}")
    @CsvSource({"1, 1, 1", "5, 70, 9", "16, 840, 144", "33, 100, 200", "150, 65, 400"})
    void rowsReadInPlaceEqualTheSameRowsCopiedOut(int m, int n, int k) {
        SplittableRandom random = new SplittableRandom(m * 17L + n + k);
        float[] a = random(random, m * k);
        float[] source = random(random, 3 * n + k + 4);
        int bOff = 4;
        int[] rows = new int[k];
        float[] copied = new float[k * n];
        for (int p = 0; p < k; p++) {
            // Rows that overlap and repeat, as the shifted views of a padded image do.
            rows[p] = random.nextInt(2 * n + k);
            System.arraycopy(source, bOff + rows[p], copied, p * n, n);
        }
        float[] inPlace = new float[m * n];
        float[] fromCopy = new float[m * n];
        float[] reference = new float[m * n];

        Gemm.gemmRows(m, n, k, a, 0, k, source, bOff, rows, inPlace, 0, n);
        Gemm.gemm(false, false, m, n, k, 1f, a, 0, k, copied, 0, n, 0f, fromCopy, 0, n);
        GemmReference.gemm(false, false, m, n, k, 1f, a, 0, k, copied, 0, n, 0f, reference, 0, n);

        assertThat(inPlace).as("the same sums as the copied rows'").containsExactly(fromCopy);
        for (int i = 0; i < inPlace.length; i++) {
            assertThat(inPlace[i]).as("element %d", i).isCloseTo(reference[i], offset(1e-4f * (k + 1)));
        }
    }

    @ParameterizedTest(name = "transB={0}")
    @CsvSource({"false", "true"})
    void resultsDoNotDependOnTheThreadCount(boolean transB) {
        SplittableRandom random = new SplittableRandom(42);
        int m = 61;
        int n = 47;
        int k = 83;
        float[] a = random(random, m * k);
        float[] b = random(random, k * n);
        float[] one = new float[m * n];
        float[] three = new float[m * n];

        Parallelism.setThreads(1);
        Gemm.gemm(false, transB, m, n, k, 1f, a, 0, k, b, 0, transB ? k : n, 0f, one, 0, n);
        Parallelism.setThreads(3);
        Gemm.gemm(false, transB, m, n, k, 1f, a, 0, k, b, 0, transB ? k : n, 0f, three, 0, n);

        assertThat(three).containsExactly(one);
    }

    /** Uniform values in [−1, 1). */
    static float[] random(SplittableRandom random, int size) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return values;
    }
}
