package pipeline.convnet.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorised, multi-threaded single-precision matrix product with the contract of
 * {@link GemmReference#gemm}.
 *
 * <p>Rows of C are split between threads, and each row is computed as {@code Σ_p A[i,p]·B[p,:]}:
 * the inner loop runs along a contiguous row of B and C, one FMA per vector lane, so every lane
 * stays busy without gathers. When B is transposed (stored {@code [n×k]}), a row of C is instead a
 * series of dot products along contiguous rows of A and B. Each element is summed in the same order
 * whatever the thread count or JIT tier, so results are deterministic. (The cache-blocked, packed kernel
 * belongs to the performance work.)
 */
public final class Gemm {

    /** Must be static final: a species in any other field is not compiled to vector instructions. */
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    private Gemm() {
    }

    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float beta, float[] c, int cOff, int ldc) {
        int grain = Math.max(1, (1 << 16) / Math.max(1, n * Math.max(1, k)));
        Parallelism.forRange(m, grain, (from, to) -> {
            for (int i = from; i < to; i++) {
                int row = cOff + i * ldc;
                scaleRow(c, row, n, beta);
                if (transB) {
                    dotRow(transA, i, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, row);
                } else {
                    axpyRow(transA, i, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, row);
                }
            }
        });
    }

    /** {@code C[i,:] += Σ_p alpha·A[i,p] · B[p,:]}; B rows contiguous. */
    private static void axpyRow(boolean transA, int i, int n, int k, float alpha, float[] a, int aOff, int lda,
                                float[] b, int bOff, int ldb, float[] c, int row) {
        int bound = SPECIES.loopBound(n);
        for (int p = 0; p < k; p++) {
            float av = alpha * (transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]);
            if (av == 0f) {
                continue;
            }
            FloatVector scale = FloatVector.broadcast(SPECIES, av);
            int bRow = bOff + p * ldb;
            int j = 0;
            for (; j < bound; j += LANES) {
                FloatVector bv = FloatVector.fromArray(SPECIES, b, bRow + j);
                FloatVector cv = FloatVector.fromArray(SPECIES, c, row + j);
                bv.fma(scale, cv).intoArray(c, row + j);
            }
            for (; j < n; j++) {
                c[row + j] += av * b[bRow + j];
            }
        }
    }

    /** {@code C[i,j] += alpha · A[i,:]·B[j,:]}; B stored transposed, rows contiguous along k. */
    private static void dotRow(boolean transA, int i, int n, int k, float alpha, float[] a, int aOff, int lda,
                               float[] b, int bOff, int ldb, float[] c, int row) {
        float[] aRow = a;
        int aStart = aOff + i * lda;
        if (transA) {
            aRow = new float[k];
            for (int p = 0; p < k; p++) {
                aRow[p] = a[aOff + p * lda + i];
            }
            aStart = 0;
        }
        int bound = SPECIES.loopBound(k);
        float[] lanes = new float[LANES];
        for (int j = 0; j < n; j++) {
            int bRow = bOff + j * ldb;
            FloatVector acc = FloatVector.zero(SPECIES);
            int p = 0;
            for (; p < bound; p += LANES) {
                acc = FloatVector.fromArray(SPECIES, aRow, aStart + p)
                        .fma(FloatVector.fromArray(SPECIES, b, bRow + p), acc);
            }
            float sum = sumInOrder(acc, lanes);
            for (; p < k; p++) {
                sum += aRow[aStart + p] * b[bRow + p];
            }
            c[row + j] += alpha * sum;
        }
    }

    /**
     * The lanes' sum, added left to right. {@code reduceLanes(ADD)} leaves the order open, and the
     * interpreter and the JIT-compiled intrinsic differ, so results would depend on warm-up.
     */
    private static float sumInOrder(FloatVector acc, float[] lanes) {
        acc.intoArray(lanes, 0);
        float sum = 0f;
        for (float lane : lanes) {
            sum += lane;
        }
        return sum;
    }

    private static void scaleRow(float[] c, int row, int n, float beta) {
        if (beta == 1f) {
            return;
        }
        for (int j = 0; j < n; j++) {
            c[row + j] = beta == 0f ? 0f : beta * c[row + j];
        }
    }
}
