package pipeline.convnet.kernel;

import java.util.Arrays;

/**
 * Copies a block of {@code op(A)} or {@code op(B)} into the order the {@link MicroKernel} reads,
 * padding partial panels with zeros. Plain loops: this is data movement, its own reference.
 *
 * <pre>
 * packed A: panel r (rows i0 + r·MR …), then p = 0…kc−1, then MR rows:  a[(r·kc + p)·MR + ii]
 * packed B: panel q (cols j0 + q·NR …), then p = 0…kc−1, then NR cols:  b[(q·kc + p)·NR + jj]
 * </pre>
 */
final class Packing {

    private static final int MR = MicroKernel.MR;
    private static final int NR = MicroKernel.NR;

    private Packing() {
    }

    /** {@code alpha · op(A)[i0:i0+mc, p0:p0+kc]} into MR-row panels. */
    static void packA(Gemm.Operands op, int i0, int mc, int p0, int kc, float[] packed) {
        float alpha = op.alpha();
        for (int ir = 0; ir < mc; ir += MR) {
            int panel = ir * kc;
            int rows = Math.min(MR, mc - ir);
            for (int ii = 0; ii < MR; ii++) {
                int at = panel + ii;
                if (ii >= rows) {
                    for (int p = 0; p < kc; p++, at += MR) {
                        packed[at] = 0f;
                    }
                } else if (op.transA()) {
                    int src = op.aOff() + p0 * op.lda() + i0 + ir + ii;
                    for (int p = 0; p < kc; p++, at += MR, src += op.lda()) {
                        packed[at] = alpha * op.a()[src];
                    }
                } else {
                    int src = op.aOff() + (i0 + ir + ii) * op.lda() + p0;
                    for (int p = 0; p < kc; p++, at += MR) {
                        packed[at] = alpha * op.a()[src + p];
                    }
                }
            }
        }
    }

    /** {@code op(B)[p0:p0+kc, j0:j0+nc]} into NR-column panels. */
    static void packB(Gemm.Operands op, int p0, int kc, int j0, int nc, float[] packed) {
        for (int jr = 0; jr < nc; jr += NR) {
            int panel = jr * kc;
            int cols = Math.min(NR, nc - jr);
            if (op.transB()) {
                for (int jj = 0; jj < NR; jj++) {
                    int at = panel + jj;
                    if (jj >= cols) {
                        for (int p = 0; p < kc; p++, at += NR) {
                            packed[at] = 0f;
                        }
                        continue;
                    }
                    int src = op.bOff() + (j0 + jr + jj) * op.ldb() + p0;
                    for (int p = 0; p < kc; p++, at += NR) {
                        packed[at] = op.b()[src + p];
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int at = panel + p * NR;
                    System.arraycopy(op.b(), op.bRow(p0 + p) + j0 + jr, packed, at, cols);
                    Arrays.fill(packed, at + cols, at + NR, 0f);
                }
            }
        }
    }
}
