package pipeline.convnet.kernel;

/**
 * The plain scalar matrix product that {@link Gemm} must equal: the reference for tests and the
 * definition of the operands' layout.
 *
 * <p>{@code C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C}, all row-major; {@code op(A)} is
 * {@code A} stored {@code [m×k]} with row stride {@code lda}, or with {@code transA} its transpose
 * stored {@code [k×m]}; likewise {@code B}.
 */
public final class GemmReference {

    private GemmReference() {
    }

    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    sum += av * bv;
                }
                int at = cOff + i * ldc + j;
                c[at] = alpha * sum + (beta == 0f ? 0f : beta * c[at]);
            }
        }
    }
}
