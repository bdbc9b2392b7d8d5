package pipeline.convnet.kernel;

/** The scalar definition {@link RowTimesMatrix} must equal bit for bit. */
public final class RowTimesMatrixReference {

    private RowTimesMatrixReference() {
    }

    /** {@code y[j] = fma(x[p], B[p, j], y[j])} for p in order, for every output {@code j} of a B {@code width} wide. */
    public static void multiplyAdd(int k, int width, float[] x, int xOff, float[] b, int bOff, float[] y, int yOff) {
        for (int j = 0; j < width; j++) {
            float s = y[yOff + j];
            for (int p = 0; p < k; p++) {
                s = Math.fma(x[xOff + p], b[bOff + p * width + j], s);
            }
            y[yOff + j] = s;
        }
    }
}
