package pipeline.convnet.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The innermost product: an {@link #MR}×{@link #NR} block of C plus the product of a packed
 * A panel [kc × MR] and a packed B panel [kc × NR] (see {@link Packing}). The block lives in
 * 2·MR vector registers across the whole k loop: per step, two vector loads of B, MR broadcasts of
 * A and 2·MR fused multiply-adds. Lanes are never reduced, so the summation order is fixed.
 * {@link GemmReference} is the scalar reference of the product as a whole.
 *
 * <p>4×16 with 256-bit vectors (C2's widest here: on Zen 4 it caps vectors at 256 bits) reaches
 * ~96 GFLOP/s on one core, 83% of its FMA peak. Taller blocks measured slower (8×16: 14 GFLOP/s,
 * 6×16: 43): beyond ~8 accumulators C2's register allocation spills inside the loop.
 */
final class MicroKernel {

    /** Must be static final: a species in any other field is not compiled to vector instructions. */
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    /** Rows of C per block. */
    static final int MR = 4;
    /** Columns of C per block: two vectors. */
    static final int NR = 2 * LANES;

    private MicroKernel() {
    }

    /**
     * {@code C[MR×NR] at cAt (row stride ldc) += Apanel · B}, or {@code =} when {@code overwrite}, where
     * row p of B's {@code [kc × NR]} block starts at {@code bAt + p·ldb}: a packed panel
     * ({@code ldb = NR}) or B itself.
     */
    static void multiplyAdd(int kc, float[] a, int aPanel, float[] b, int bAt, int ldb, float[] c, int cAt, int ldc,
                            boolean overwrite) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        for (int p = 0, at = aPanel, bt = bAt; p < kc; p++, at += MR, bt += ldb) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bt);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bt + LANES);
            FloatVector a0 = FloatVector.broadcast(SPECIES, a[at + 0]);
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
        }
        store(c00, c01, c, cAt + 0 * ldc, overwrite);
        store(c10, c11, c, cAt + 1 * ldc, overwrite);
        store(c20, c21, c, cAt + 2 * ldc, overwrite);
        store(c30, c31, c, cAt + 3 * ldc, overwrite);
    }

    /**
     * The same with row p of B at {@code b[bRows[rowAt + p] + bCol]}: rows anywhere, such as the
     * shifted views of a padded image that are a convolution's column matrix. A second loop rather
     * than this one for every B: with B's rows a linear stride apart C2 hoists the bounds checks of
     * B's loads out of the loop, and {@link #multiplyAdd} measured 15–20% faster for it.
     */
    static void multiplyAddRows(int kc, float[] a, int aPanel, float[] b, int[] bRows, int rowAt, int bCol, float[] c, int cAt,
                                int ldc, boolean overwrite) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
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
        }
        store(c00, c01, c, cAt, overwrite);
        store(c10, c11, c, cAt + ldc, overwrite);
        store(c20, c21, c, cAt + 2 * ldc, overwrite);
        store(c30, c31, c, cAt + 3 * ldc, overwrite);
    }

    /**
     * The same for a partial block of {@code rows × cols}, computed in {@code scratch[MR×NR]}; B's rows
     * as for {@link #multiplyAddRows} when {@code bRows} is given, else as for {@link #multiplyAdd}.
     */
    static void multiplyAddEdge(int kc, float[] a, int aPanel, float[] b, int bAt, int ldb, int[] bRows, int rowAt,
                                float[] c, int cAt, int ldc, int rows, int cols, float[] scratch, boolean overwrite) {
        if (bRows == null) {
            multiplyAdd(kc, a, aPanel, b, bAt, ldb, scratch, 0, NR, true);
        } else {
            multiplyAddRows(kc, a, aPanel, b, bRows, rowAt, bAt, scratch, 0, NR, true);
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                int at = cAt + i * ldc + j;
                c[at] = overwrite ? scratch[i * NR + j] : c[at] + scratch[i * NR + j];
            }
        }
    }

    private static void store(FloatVector low, FloatVector high, float[] c, int at, boolean overwrite) {
        if (overwrite) {
            low.intoArray(c, at);
            high.intoArray(c, at + LANES);
        } else {
            low.add(FloatVector.fromArray(SPECIES, c, at)).intoArray(c, at);
            high.add(FloatVector.fromArray(SPECIES, c, at + LANES)).intoArray(c, at + LANES);
        }
    }
}
