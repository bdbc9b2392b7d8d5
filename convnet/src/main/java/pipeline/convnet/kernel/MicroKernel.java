package pipeline.convnet.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The innermost product: an {@link #MR}×{@link #NR} block of C plus the product of a packed
 * A panel [kc × MR] and a packed B panel [kc × NR] (see {@link Packing}). The block lives in
 * 2·MR vector registers across the whole k loop: per step, two vector loads of B, MR broadcasts of
 * A and 2·MR fused multiply-adds. Lanes are never reduced, so the summation order is fixed.
 * {@link GemmReference} is the scalar reference of the product as a whole.
 *
 * <p>8 rows: 16 accumulators, two B vectors and a broadcast fit AVX-512's 32 registers, and per k
 * step 10 loads feed 16 FMAs (4 rows: 6 loads for 8). On a Xeon with 512-bit vectors 8×32 runs 512³
 * at 97 GFLOP/s against 4×32's 81, and the 16-row products of narrow convolutions at 98 against 83
 * (docs/benchmarks.md). The block always starts from C's values and ends with plain stores (the
 * caller {@link #clear}s a block that is to be overwritten): a choice between zero and C at the start, or a
 * load-add-store at the end, made the method too large for C2 to inline all its vector operations
 * (NodeCountInliningCutoff), and the vectors left un-inlined were boxed, 15–20× slower.
 */
final class MicroKernel {

    /** Must be static final: a species in any other field is not compiled to vector instructions. */
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    /** Rows of C per block. */
    static final int MR = 8;
    /** Columns of C per block: two vectors. */
    static final int NR = 2 * LANES;

    private MicroKernel() {
    }

    /**
     * {@code C[MR×NR] at cAt (row stride ldc) += Apanel · B}, where
     * row p of B's {@code [kc × NR]} block starts at {@code bAt + p·ldb}: a packed panel
     * ({@code ldb = NR}) or B itself.
     */
    static void multiplyAdd(int kc, float[] a, int aPanel, float[] b, int bAt, int ldb, float[] c, int cAt, int ldc) {
        FloatVector c00 = FloatVector.fromArray(SPECIES, c, cAt);
        FloatVector c01 = FloatVector.fromArray(SPECIES, c, cAt + LANES);
        FloatVector c10 = FloatVector.fromArray(SPECIES, c, cAt + 1 * ldc);
        FloatVector c11 = FloatVector.fromArray(SPECIES, c, cAt + 1 * ldc + LANES);
        FloatVector c20 = FloatVector.fromArray(SPECIES, c, cAt + 2 * ldc);
        FloatVector c21 = FloatVector.fromArray(SPECIES, c, cAt + 2 * ldc + LANES);
        FloatVector c30 = FloatVector.fromArray(SPECIES, c, cAt + 3 * ldc);
        FloatVector c31 = FloatVector.fromArray(SPECIES, c, cAt + 3 * ldc + LANES);
        FloatVector c40 = FloatVector.fromArray(SPECIES, c, cAt + 4 * ldc);
        FloatVector c41 = FloatVector.fromArray(SPECIES, c, cAt + 4 * ldc + LANES);
        FloatVector c50 = FloatVector.fromArray(SPECIES, c, cAt + 5 * ldc);
        FloatVector c51 = FloatVector.fromArray(SPECIES, c, cAt + 5 * ldc + LANES);
        FloatVector c60 = FloatVector.fromArray(SPECIES, c, cAt + 6 * ldc);
        FloatVector c61 = FloatVector.fromArray(SPECIES, c, cAt + 6 * ldc + LANES);
        FloatVector c70 = FloatVector.fromArray(SPECIES, c, cAt + 7 * ldc);
        FloatVector c71 = FloatVector.fromArray(SPECIES, c, cAt + 7 * ldc + LANES);
        for (int p = 0, at = aPanel, bt = bAt; p < kc; p++, at += MR, bt += ldb) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bt);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bt + LANES);
            FloatVector a0 = FloatVector.broadcast(SPECIES, a[at]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, a[at + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, a[at + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, a[at + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(SPECIES, a[at + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(SPECIES, a[at + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(SPECIES, a[at + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(SPECIES, a[at + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        store(c00, c01, c, cAt);
        store(c10, c11, c, cAt + 1 * ldc);
        store(c20, c21, c, cAt + 2 * ldc);
        store(c30, c31, c, cAt + 3 * ldc);
        store(c40, c41, c, cAt + 4 * ldc);
        store(c50, c51, c, cAt + 5 * ldc);
        store(c60, c61, c, cAt + 6 * ldc);
        store(c70, c71, c, cAt + 7 * ldc);

    }

    /**
     * The same with row p of B at {@code b[bRows[rowAt + p] + bCol]}: rows anywhere, such as the
     * shifted views of a padded image that are a convolution's column matrix. A second loop rather
     * than this one for every B: with B's rows a linear stride apart C2 hoists the bounds checks of
     * B's loads out of the loop, and {@link #multiplyAdd} measured 15–20% faster for it.
     */
    static void multiplyAddRows(int kc, float[] a, int aPanel, float[] b, int[] bRows, int rowAt, int bCol, float[] c, int cAt,
                                int ldc) {
        FloatVector c00 = FloatVector.fromArray(SPECIES, c, cAt);
        FloatVector c01 = FloatVector.fromArray(SPECIES, c, cAt + LANES);
        FloatVector c10 = FloatVector.fromArray(SPECIES, c, cAt + 1 * ldc);
        FloatVector c11 = FloatVector.fromArray(SPECIES, c, cAt + 1 * ldc + LANES);
        FloatVector c20 = FloatVector.fromArray(SPECIES, c, cAt + 2 * ldc);
        FloatVector c21 = FloatVector.fromArray(SPECIES, c, cAt + 2 * ldc + LANES);
        FloatVector c30 = FloatVector.fromArray(SPECIES, c, cAt + 3 * ldc);
        FloatVector c31 = FloatVector.fromArray(SPECIES, c, cAt + 3 * ldc + LANES);
        FloatVector c40 = FloatVector.fromArray(SPECIES, c, cAt + 4 * ldc);
        FloatVector c41 = FloatVector.fromArray(SPECIES, c, cAt + 4 * ldc + LANES);
        FloatVector c50 = FloatVector.fromArray(SPECIES, c, cAt + 5 * ldc);
        FloatVector c51 = FloatVector.fromArray(SPECIES, c, cAt + 5 * ldc + LANES);
        FloatVector c60 = FloatVector.fromArray(SPECIES, c, cAt + 6 * ldc);
        FloatVector c61 = FloatVector.fromArray(SPECIES, c, cAt + 6 * ldc + LANES);
        FloatVector c70 = FloatVector.fromArray(SPECIES, c, cAt + 7 * ldc);
        FloatVector c71 = FloatVector.fromArray(SPECIES, c, cAt + 7 * ldc + LANES);
        for (int p = 0, at = aPanel; p < kc; p++, at += MR) {
            int bt = bRows[rowAt + p] + bCol;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bt);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bt + LANES);
            FloatVector a0 = FloatVector.broadcast(SPECIES, a[at]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, a[at + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, a[at + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, a[at + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(SPECIES, a[at + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(SPECIES, a[at + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(SPECIES, a[at + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(SPECIES, a[at + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        store(c00, c01, c, cAt);
        store(c10, c11, c, cAt + 1 * ldc);
        store(c20, c21, c, cAt + 2 * ldc);
        store(c30, c31, c, cAt + 3 * ldc);
        store(c40, c41, c, cAt + 4 * ldc);
        store(c50, c51, c, cAt + 5 * ldc);
        store(c60, c61, c, cAt + 6 * ldc);
        store(c70, c71, c, cAt + 7 * ldc);

    }

    /**
     * The same for a partial block of {@code rows × cols}, computed in {@code scratch[MR×NR]} from C's
     * values (or zero when {@code clear}), so each element is summed in the same order as in a whole block; B's rows as for
     * {@link #multiplyAddRows} when {@code bRows} is given, else as for {@link #multiplyAdd}.
     */
    static void multiplyAddEdge(int kc, float[] a, int aPanel, float[] b, int bAt, int ldb, int[] bRows, int rowAt,
                                float[] c, int cAt, int ldc, int rows, int cols, float[] scratch, boolean clear) {
        if (clear) {
            Arrays.fill(scratch, 0f);
        } else {
            for (int i = 0; i < rows; i++) {
                System.arraycopy(c, cAt + i * ldc, scratch, i * NR, cols);
            }
        }
        if (bRows == null) {
            multiplyAdd(kc, a, aPanel, b, bAt, ldb, scratch, 0, NR);
        } else {
            multiplyAddRows(kc, a, aPanel, b, bRows, rowAt, bAt, scratch, 0, NR);
        }
        for (int i = 0; i < rows; i++) {
            System.arraycopy(scratch, i * NR, c, cAt + i * ldc, cols);
        }
    }

    /** {@code C[MR×NR] at cAt = 0}: a block about to be overwritten. */
    static void clear(float[] c, int cAt, int ldc) {
        FloatVector zero = FloatVector.zero(SPECIES);
        for (int i = 0, at = cAt; i < MR; i++, at += ldc) {
            store(zero, zero, c, at);
        }
    }

    private static void store(FloatVector low, FloatVector high, float[] c, int at) {
        low.intoArray(c, at);
        high.intoArray(c, at + LANES);
    }
}
