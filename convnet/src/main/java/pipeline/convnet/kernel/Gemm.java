package pipeline.convnet.kernel;

import java.util.Arrays;

/**
 * Packed, register-blocked, multi-threaded single-precision matrix product with the contract of
 * {@link GemmReference#gemm} ({@code C = alpha·op(A)·op(B) + beta·C}, row-major).
 *
 * <p>The loop nest is Goto's: C is cut into tiles of at most {@link #MC}×{@link #NC}, each computed
 * by one thread. Within a tile, {@code k} runs in slices of {@link #KC}; for each slice the tile's
 * part of {@code op(A)} is packed into {@link MicroKernel#MR}-row panels (alpha folded in) and of
 * {@code op(B)} into {@link MicroKernel#NR}-column panels, so the micro-kernel reads both
 * contiguously whatever the operands' layout or transposition. A B micro-panel ({@code KC×NR}) stays
 * in L1 while the A block ({@code MC×KC}) sits in L2.
 *
 * <p>{@link #gemmRows} takes B as rows anywhere in an array, read in place by
 * {@link MicroKernel#multiplyAddRows}: a convolution's column matrix over a padded image, never written.
 *
 * <p>With {@code beta = 0} each block of C is cleared before its products are added, so NaN in C
 * does not leak into the result, as the reference requires.
 *
 * <p>Every element of C is the sum over {@code k} in the same order (slice by slice, and in order
 * within a slice) however the tiles are shared between threads, so results do not depend on the
 * thread count or on which thread ran which tile.
 */
public final class Gemm {

    /** Rows of C per tile: a multiple of {@link MicroKernel#MR}. */
    static final int MC = 144;
    /** Depth of one packed slice. */
    static final int KC = 192;
    /**
     * Columns of one panel of B: a product whose {@code n} is a multiple of this reads B's rows in
     * place to the last column ({@link #gemmRows}); a partial last panel is packed, once per row tile
     * and slice of k, and multiplied by the edge kernel.
     */
    public static final int PANEL = MicroKernel.NR;
    /** Widest tile: a multiple of {@link MicroKernel#NR}. */
    static final int NC = 64 * MicroKernel.NR;

    /**
     * Tiles this short read an untransposed B in place rather than packing it: with few rows of A,
     * each packed B panel would be used too few times to repay the copy. Only a partial last panel is packed.
     */
    static final int DIRECT_B_ROWS = 32;

    private static final ThreadLocal<PackingBuffers> BUFFERS = ThreadLocal.withInitial(PackingBuffers::new);

    private Gemm() {
    }

    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float beta, float[] c, int cOff, int ldc) {
        run(new Operands(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, null, beta, c, cOff, ldc));
    }

    /**
     * {@code C[m×n] = A[m×k] · B} where row p of B is {@code b[bOff + bRows[p] …)}: rows anywhere in
     * {@code b}, read in place. A convolution's column matrix is such a B over its padded input (row
     * {@code (c, kh, kw)} is the image shifted), so it is multiplied without being written out. Same
     * sums in the same order as {@link #gemm} on the rows copied out.
     */
    public static void gemmRows(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int[] bRows,
                                float[] c, int cOff, int ldc) {
        run(new Operands(false, false, m, n, k, 1f, a, aOff, lda, b, bOff, 0, bRows, 0f, c, cOff, ldc));
    }

    private static void run(Operands op) {
        int m = op.m;
        int n = op.n;
        int k = op.k;
        if (m <= 0 || n <= 0) {
            return;
        }
        int tileRows = Math.min(MC, roundUp(m, MicroKernel.MR));
        int rowTiles = ceilDiv(m, tileRows);
        int tileCols = tileWidth(n, rowTiles);
        int colTiles = ceilDiv(n, tileCols);
        long flopsPerTile = 2L * tileRows * tileCols * Math.max(1, k);
        int grain = (int) Math.max(1, (1L << 20) / flopsPerTile);
        Parallelism.forRange(rowTiles * colTiles, grain, (from, to) -> {
            PackingBuffers ws = BUFFERS.get();
            for (int t = from; t < to; t++) {
                int i0 = (t / colTiles) * tileRows;
                int j0 = (t % colTiles) * tileCols;
                tile(op, i0, Math.min(tileRows, m - i0), j0, Math.min(tileCols, n - j0), ws);
            }
        });
    }

    /** Tile width: at most {@link #NC}, narrower when that leaves fewer tiles than threads can share. */
    private static int tileWidth(int n, int rowTiles) {
        int wanted = Parallelism.threads() * 2;
        int width = Math.min(NC, roundUp(n, MicroKernel.NR));
        while (rowTiles * ceilDiv(n, width) < wanted && width > 4 * MicroKernel.NR) {
            width = roundUp(width / 2, MicroKernel.NR);
        }
        return width;
    }

    /**
     * {@code C[i0:i0+mc, j0:j0+nc]}: scaled by beta, then every k-slice's product added. With beta 0
     * each micro-block is cleared just before its first product (while it is in L1), not in a pass of its own.
     */
    private static void tile(Operands op, int i0, int mc, int j0, int nc, PackingBuffers ws) {
        boolean empty = op.k == 0 || op.alpha == 0f;
        if (op.beta != 0f || empty) {
            scale(op, i0, mc, j0, nc);
        }
        if (empty) {
            return;
        }
        for (int p0 = 0; p0 < op.k; p0 += KC) {
            int kc = Math.min(KC, op.k - p0);
            boolean clear = p0 == 0 && op.beta == 0f;
            Packing.packA(op, i0, mc, p0, kc, ws.a);
            // Rows given anywhere are always read in place: their copy is the cost they exist to avoid.
            boolean packB = op.bRows == null && (op.transB || mc > DIRECT_B_ROWS);
            if (packB) {
                Packing.packB(op, p0, kc, j0, nc, ws.b);
            } else {
                Packing.packB(op, p0, kc, j0 + fullWidth(nc), nc - fullWidth(nc), ws.b);
            }
            for (int jr = 0; jr < nc; jr += MicroKernel.NR) {
                int nr = Math.min(MicroKernel.NR, nc - jr);
                boolean direct = !packB && nr == MicroKernel.NR;
                float[] b = direct ? op.b : ws.b;
                // Rows given anywhere, read in place: B's row p is at bRows[p0 + p] + bAt.
                int[] bRows = direct ? op.bRows : null;
                int bAt = !direct ? (packB ? jr : 0) * kc : (bRows != null ? op.bOff : op.bRow(p0)) + j0 + jr;
                int ldb = direct ? op.ldb : MicroKernel.NR;
                for (int ir = 0; ir < mc; ir += MicroKernel.MR) {
                    int mr = Math.min(MicroKernel.MR, mc - ir);
                    int aPanel = ir * kc;
                    int cAt = op.cOff + (i0 + ir) * op.ldc + j0 + jr;
                    if (mr < MicroKernel.MR || nr < MicroKernel.NR) {
                        MicroKernel.multiplyAddEdge(kc, ws.a, aPanel, b, bAt, ldb, bRows, p0, op.c, cAt, op.ldc, mr, nr,
                                ws.edge, clear);
                        continue;
                    }
                    if (clear) {
                        MicroKernel.clear(op.c, cAt, op.ldc);
                    }
                    if (bRows != null) {
                        MicroKernel.multiplyAddRows(kc, ws.a, aPanel, b, bRows, p0, bAt, op.c, cAt, op.ldc);
                    } else {
                        MicroKernel.multiplyAdd(kc, ws.a, aPanel, b, bAt, ldb, op.c, cAt, op.ldc);
                    }
                }
            }
        }
    }

    /** Columns of a tile width {@code nc} covered by whole micro-panels. */
    private static int fullWidth(int nc) {
        return nc / MicroKernel.NR * MicroKernel.NR;
    }

    private static void scale(Operands op, int i0, int mc, int j0, int nc) {
        if (op.beta == 1f) {
            return;
        }
        for (int i = i0; i < i0 + mc; i++) {
            int row = op.cOff + i * op.ldc;
            if (op.beta == 0f) {
                Arrays.fill(op.c, row + j0, row + j0 + nc, 0f);
            } else {
                for (int j = j0; j < j0 + nc; j++) {
                    op.c[row + j] *= op.beta;
                }
            }
        }
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    public static int roundUp(int a, int multiple) {
        return ceilDiv(a, multiple) * multiple;
    }

    /**
     * One call's operands, as {@link GemmReference#gemm} defines them; with {@code bRows}, row p of
     * (untransposed) B starts at {@code bOff + bRows[p]} instead of {@code bOff + p·ldb}.
     */
    record Operands(boolean transA, boolean transB, int m, int n, int k, float alpha,
                    float[] a, int aOff, int lda, float[] b, int bOff, int ldb, int[] bRows,
                    float beta, float[] c, int cOff, int ldc) {

        /** Where row p of untransposed B starts. */
        int bRow(int p) {
            return bOff + (bRows == null ? p * ldb : bRows[p]);
        }
    }

    /** One thread's packing buffers, reused across calls. */
    private static final class PackingBuffers {
        final float[] a = new float[MC * KC];
        final float[] b = new float[KC * NC];
        final float[] edge = new float[MicroKernel.MR * MicroKernel.NR];
    }
}
