package pipeline.convnet.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code C[m×n] += A[m×k] · B[n×k]ᵀ} for a long {@code k}, as dot products of rows: both operands are
 * read along their rows, where they are contiguous, so nothing is packed or transposed. This is a
 * convolution's weight gradient, {@code dW[OC, C·KH·KW] += dOut[OC, N·P] · cols[C·KH·KW, N·P]ᵀ}: the
 * packed GEMM would transpose the whole column matrix (N·P is ~100,000 at batch 128) into its B
 * panels, a copy as costly as the product. {@link GemmReference#gemm} with {@code transB} and
 * {@code beta = 1} is the scalar reference.
 *
 * <p>k runs in slices of {@link #SLICE}; within a slice a block of {@link #ROWS}×{@link #ROWS} outputs
 * keeps 16 vector accumulators (per step: 4 loads of A, 4 of B, 16 FMAs), reduced across lanes at the
 * slice's end and added to C. The work is split over column tiles of C (rows of B), each tile's
 * slices of A and B staying in L2 while its blocks are computed. Every element of C is summed in the
 * same order whatever the split, so the result does not depend on the thread count.
 */
public final class DotProducts {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Rows of A and of B per block. */
    static final int ROWS = 4;
    /** Depth of one slice of k: a multiple of the vector length. */
    static final int SLICE = 1024;
    /** Rows of B per tile at most: with a slice, 64 rows of B are 256 KiB. */
    private static final int TILE = 64;

    private DotProducts() {
    }

    public static void accumulate(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                  float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0 || k <= 0) {
            return;
        }
        int tile = Math.min(TILE, Math.max(ROWS, Gemm.roundUp(Gemm.ceilDiv(n, 2 * Parallelism.threads()), ROWS)));
        Parallelism.forRange(Gemm.ceilDiv(n, tile), 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                int j0 = t * tile;
                int j1 = Math.min(n, j0 + tile);
                for (int p0 = 0; p0 < k; p0 += SLICE) {
                    int kc = Math.min(SLICE, k - p0);
                    for (int i = 0; i < m; i += ROWS) {
                        for (int j = j0; j < j1; j += ROWS) {
                            block(a, aOff + p0, lda, i, m, b, bOff + p0, ldb, j, j1, kc, c, cOff, ldc);
                        }
                    }
                }
            }
        });
    }

    /**
     * {@code C[i.., j..] += A[i.., 0:kc] · B[j.., 0:kc]ᵀ} for up to 4×4 outputs; rows past {@code iEnd}
     * or {@code jEnd} repeat the last row and are not written.
     */
    private static void block(float[] a, int aAt, int lda, int i, int iEnd, float[] b, int bAt, int ldb, int j, int jEnd,
                              int kc, float[] c, int cOff, int ldc) {
        int a0 = aAt + i * lda;
        int a1 = aAt + Math.min(i + 1, iEnd - 1) * lda;
        int a2 = aAt + Math.min(i + 2, iEnd - 1) * lda;
        int a3 = aAt + Math.min(i + 3, iEnd - 1) * lda;
        int b0 = bAt + j * ldb;
        int b1 = bAt + Math.min(j + 1, jEnd - 1) * ldb;
        int b2 = bAt + Math.min(j + 2, jEnd - 1) * ldb;
        int b3 = bAt + Math.min(j + 3, jEnd - 1) * ldb;
        FloatVector s00 = FloatVector.zero(SPECIES);
        FloatVector s01 = FloatVector.zero(SPECIES);
        FloatVector s02 = FloatVector.zero(SPECIES);
        FloatVector s03 = FloatVector.zero(SPECIES);
        FloatVector s10 = FloatVector.zero(SPECIES);
        FloatVector s11 = FloatVector.zero(SPECIES);
        FloatVector s12 = FloatVector.zero(SPECIES);
        FloatVector s13 = FloatVector.zero(SPECIES);
        FloatVector s20 = FloatVector.zero(SPECIES);
        FloatVector s21 = FloatVector.zero(SPECIES);
        FloatVector s22 = FloatVector.zero(SPECIES);
        FloatVector s23 = FloatVector.zero(SPECIES);
        FloatVector s30 = FloatVector.zero(SPECIES);
        FloatVector s31 = FloatVector.zero(SPECIES);
        FloatVector s32 = FloatVector.zero(SPECIES);
        FloatVector s33 = FloatVector.zero(SPECIES);
        int vectorEnd = kc / LANES * LANES;
        for (int p = 0; p < vectorEnd; p += LANES) {
            FloatVector x0 = FloatVector.fromArray(SPECIES, a, a0 + p);
            FloatVector x1 = FloatVector.fromArray(SPECIES, a, a1 + p);
            FloatVector x2 = FloatVector.fromArray(SPECIES, a, a2 + p);
            FloatVector x3 = FloatVector.fromArray(SPECIES, a, a3 + p);
            FloatVector y = FloatVector.fromArray(SPECIES, b, b0 + p);
            s00 = x0.fma(y, s00);
            s10 = x1.fma(y, s10);
            s20 = x2.fma(y, s20);
            s30 = x3.fma(y, s30);
            y = FloatVector.fromArray(SPECIES, b, b1 + p);
            s01 = x0.fma(y, s01);
            s11 = x1.fma(y, s11);
            s21 = x2.fma(y, s21);
            s31 = x3.fma(y, s31);
            y = FloatVector.fromArray(SPECIES, b, b2 + p);
            s02 = x0.fma(y, s02);
            s12 = x1.fma(y, s12);
            s22 = x2.fma(y, s22);
            s32 = x3.fma(y, s32);
            y = FloatVector.fromArray(SPECIES, b, b3 + p);
            s03 = x0.fma(y, s03);
            s13 = x1.fma(y, s13);
            s23 = x2.fma(y, s23);
            s33 = x3.fma(y, s33);
        }
        int[] aRows = {a0, a1, a2, a3};
        int[] bRows = {b0, b1, b2, b3};
        float[] sums = {
                s00.reduceLanes(VectorOperators.ADD), s01.reduceLanes(VectorOperators.ADD),
                s02.reduceLanes(VectorOperators.ADD), s03.reduceLanes(VectorOperators.ADD),
                s10.reduceLanes(VectorOperators.ADD), s11.reduceLanes(VectorOperators.ADD),
                s12.reduceLanes(VectorOperators.ADD), s13.reduceLanes(VectorOperators.ADD),
                s20.reduceLanes(VectorOperators.ADD), s21.reduceLanes(VectorOperators.ADD),
                s22.reduceLanes(VectorOperators.ADD), s23.reduceLanes(VectorOperators.ADD),
                s30.reduceLanes(VectorOperators.ADD), s31.reduceLanes(VectorOperators.ADD),
                s32.reduceLanes(VectorOperators.ADD), s33.reduceLanes(VectorOperators.ADD)};
        for (int ii = 0; ii < Math.min(ROWS, iEnd - i); ii++) {
            for (int jj = 0; jj < Math.min(ROWS, jEnd - j); jj++) {
                float sum = sums[ii * ROWS + jj];
                for (int p = vectorEnd; p < kc; p++) {
                    sum += a[aRows[ii] + p] * b[bRows[jj] + p];
                }
                c[cOff + (i + ii) * ldc + j + jj] += sum;
            }
        }
    }
}
