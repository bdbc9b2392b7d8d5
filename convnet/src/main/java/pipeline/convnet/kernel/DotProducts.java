package pipeline.convnet.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code C[m×n] += A[m×k] · B[n×k]ᵀ} for a long {@code k}, as dot products of rows: both operands are
 * read along their rows, where they are contiguous, so nothing is packed or transposed. This is a
 * convolution's weight gradient, {@code dW[OC, C·KH·KW] += dOut[OC, N·P] · cols[C·KH·KW, N·P]ᵀ}: the
 * packed GEMM would transpose the whole column matrix (N·P is ~100,000 at batch 128) into its B
 * panels, a copy as costly as the product. {@link GemmReference#gemm} with {@code transB} and
 * {@code beta = 1} is the scalar reference.
 *
 * <p>A block of {@link #ROWS}×{@link #ROWS} outputs keeps 16 vector accumulators (per step: 4 loads of
 * A, 4 of B, 16 FMAs). They are never reduced across lanes inside the loop: each output has a
 * vector of lane-wise partial sums, carried in a buffer across slices of {@link #SLICE} and across
 * segments, and summed lane by lane, in lane order, once at the end (with the scalar tails). Vector
 * reductions ({@code reduceLanes}) were not used: their order is unspecified and differed between
 * interpreted and compiled code, which made training depend on timing. The work is split over
 * column tiles of C (rows of B), each tile's slices staying in L2, and every element of C is summed
 * in the same order whatever the split, so the result does not depend on the thread count.
 */
public final class DotProducts {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Segment lengths that are a multiple of this have no scalar tail: the vector length. */
    public static final int ALIGN = LANES;
    /** Rows of A and of B per block. */
    static final int ROWS = 4;
    /** Depth of one slice of k: a multiple of the vector length. */
    static final int SLICE = 1024;
    /** Rows of B per tile at most: with a slice, 64 rows of B are 256 KiB. */
    private static final int TILE = 64;
    /** Floats of partial sums per block: 16 outputs' vectors. */
    private static final int BLOCK = ROWS * ROWS * LANES;

    private DotProducts() {
    }

    public static void accumulate(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                  float[] c, int cOff, int ldc) {
        int[] bRows = new int[Math.max(0, n)];
        for (int j = 0; j < n; j++) {
            bRows[j] = j * ldb;
        }
        accumulateRows(m, n, 1, k, a, aOff, 0, lda, b, bOff, 0, bRows, c, cOff, ldc);
    }

    /**
     * {@code C[m×n] += Σ_s A_s · B_sᵀ} over {@code segments} pairs of {@code [m×len]} and {@code [n×len]}
     * matrices: row i of {@code A_s} at {@code aOff + s·aSegment + i·lda}, row j of {@code B_s} at
     * {@code bOff + s·bSegment + bRows[j]}, rows anywhere. A convolution's weight gradient over padded
     * images is such a sum, one segment per image, whose column matrix's rows are shifted views of the
     * image (see {@link Gemm#gemmRows}).
     */
    public static void accumulateRows(int m, int n, int segments, int len, float[] a, int aOff, int aSegment, int lda,
                                      float[] b, int bOff, int bSegment, int[] bRows, float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0 || len <= 0 || segments <= 0) {
            return;
        }
        int tile = Math.min(TILE, Math.max(ROWS, Gemm.roundUp(Gemm.ceilDiv(n, 2 * Parallelism.threads()), ROWS)));
        int iBlocks = Gemm.ceilDiv(m, ROWS);
        int vectorLen = len / LANES * LANES;
        Parallelism.forRange(Gemm.ceilDiv(n, tile), 1, (from, to) -> {
            float[] partial = new float[iBlocks * (tile / ROWS) * BLOCK];
            float[] tails = new float[iBlocks * (tile / ROWS) * ROWS * ROWS];
            for (int t = from; t < to; t++) {
                int j0 = t * tile;
                int j1 = Math.min(n, j0 + tile);
                Arrays.fill(partial, 0f);
                Arrays.fill(tails, 0f);
                for (int s = 0; s < segments; s++) {
                    int aSeg = aOff + s * aSegment;
                    int bSeg = bOff + s * bSegment;
                    for (int p0 = 0; p0 < vectorLen; p0 += SLICE) {
                        int kc = Math.min(SLICE, vectorLen - p0);
                        for (int i = 0, q = 0; i < m; i += ROWS) {
                            for (int j = j0; j < j1; j += ROWS, q++) {
                                block(a, aSeg + p0, lda, i, m, b, bSeg + p0, bRows, j, j1, kc, partial, q * BLOCK);
                            }
                        }
                    }
                    addTails(a, aSeg, lda, m, b, bSeg, bRows, j0, j1, vectorLen, len, tails);
                }
                finish(partial, tails, m, j0, j1, c, cOff, ldc);
            }
        });
    }

    /**
     * Lane-wise partial sums {@code partial[q·BLOCK + (ii·4 + jj)·LANES + l] += Σ_p A[i+ii, p]·B[j+jj, p]}
     * over the p of lane l, for {@code p < kc} (a multiple of the vector length); rows past {@code iEnd}
     * or {@code jEnd} repeat the last row, and their sums are never read.
     */
    private static void block(float[] a, int aAt, int lda, int i, int iEnd, float[] b, int bAt, int[] bRows, int j,
                              int jEnd, int kc, float[] partial, int at) {
        int a0 = aAt + i * lda;
        int a1 = aAt + Math.min(i + 1, iEnd - 1) * lda;
        int a2 = aAt + Math.min(i + 2, iEnd - 1) * lda;
        int a3 = aAt + Math.min(i + 3, iEnd - 1) * lda;
        int b0 = bAt + bRows[j];
        int b1 = bAt + bRows[Math.min(j + 1, jEnd - 1)];
        int b2 = bAt + bRows[Math.min(j + 2, jEnd - 1)];
        int b3 = bAt + bRows[Math.min(j + 3, jEnd - 1)];
        FloatVector s00 = FloatVector.fromArray(SPECIES, partial, at);
        FloatVector s01 = FloatVector.fromArray(SPECIES, partial, at + LANES);
        FloatVector s02 = FloatVector.fromArray(SPECIES, partial, at + 2 * LANES);
        FloatVector s03 = FloatVector.fromArray(SPECIES, partial, at + 3 * LANES);
        FloatVector s10 = FloatVector.fromArray(SPECIES, partial, at + 4 * LANES);
        FloatVector s11 = FloatVector.fromArray(SPECIES, partial, at + 5 * LANES);
        FloatVector s12 = FloatVector.fromArray(SPECIES, partial, at + 6 * LANES);
        FloatVector s13 = FloatVector.fromArray(SPECIES, partial, at + 7 * LANES);
        FloatVector s20 = FloatVector.fromArray(SPECIES, partial, at + 8 * LANES);
        FloatVector s21 = FloatVector.fromArray(SPECIES, partial, at + 9 * LANES);
        FloatVector s22 = FloatVector.fromArray(SPECIES, partial, at + 10 * LANES);
        FloatVector s23 = FloatVector.fromArray(SPECIES, partial, at + 11 * LANES);
        FloatVector s30 = FloatVector.fromArray(SPECIES, partial, at + 12 * LANES);
        FloatVector s31 = FloatVector.fromArray(SPECIES, partial, at + 13 * LANES);
        FloatVector s32 = FloatVector.fromArray(SPECIES, partial, at + 14 * LANES);
        FloatVector s33 = FloatVector.fromArray(SPECIES, partial, at + 15 * LANES);
        for (int p = 0; p < kc; p += LANES) {
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
        s00.intoArray(partial, at);
        s01.intoArray(partial, at + LANES);
        s02.intoArray(partial, at + 2 * LANES);
        s03.intoArray(partial, at + 3 * LANES);
        s10.intoArray(partial, at + 4 * LANES);
        s11.intoArray(partial, at + 5 * LANES);
        s12.intoArray(partial, at + 6 * LANES);
        s13.intoArray(partial, at + 7 * LANES);
        s20.intoArray(partial, at + 8 * LANES);
        s21.intoArray(partial, at + 9 * LANES);
        s22.intoArray(partial, at + 10 * LANES);
        s23.intoArray(partial, at + 11 * LANES);
        s30.intoArray(partial, at + 12 * LANES);
        s31.intoArray(partial, at + 13 * LANES);
        s32.intoArray(partial, at + 14 * LANES);
        s33.intoArray(partial, at + 15 * LANES);
    }

    /** The products past the last whole vector, {@code p} in {@code [from, len)}, into each output's scalar tail. */
    private static void addTails(float[] a, int aAt, int lda, int m, float[] b, int bAt, int[] bRows, int j0, int j1,
                                 int from, int len, float[] tails) {
        if (from == len) {
            return;
        }
        int width = Gemm.roundUp(j1 - j0, ROWS);
        for (int i = 0; i < m; i++) {
            for (int j = j0; j < j1; j++) {
                float sum = 0f;
                for (int p = from; p < len; p++) {
                    sum += a[aAt + i * lda + p] * b[bAt + bRows[j] + p];
                }
                tails[i * width + j - j0] += sum;
            }
        }
    }

    /** {@code C[i, j] += (Σ_l partial lanes, in lane order) + tail} for the tile's outputs. */
    private static void finish(float[] partial, float[] tails, int m, int j0, int j1, float[] c, int cOff, int ldc) {
        int blocks = Gemm.ceilDiv(j1 - j0, ROWS);
        int width = Gemm.roundUp(j1 - j0, ROWS);
        for (int i = 0; i < m; i++) {
            for (int j = j0; j < j1; j++) {
                int q = i / ROWS * blocks + (j - j0) / ROWS;
                int at = q * BLOCK + ((i % ROWS) * ROWS + (j - j0) % ROWS) * LANES;
                float sum = 0f;
                for (int l = 0; l < LANES; l++) {
                    sum += partial[at + l];
                }
                c[cOff + i * ldc + j] += sum + tails[i * width + j - j0];
            }
        }
    }
}
