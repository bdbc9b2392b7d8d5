package pipeline.convnet.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code y[width] += x[k] · B[k×width]} for one row {@code x}: a fully connected layer on a batch too
 * small for the packed {@link Gemm}, with its weight stored transposed ({@code B = Wᵀ}, {@code [in, out]}
 * padded to {@code width}), so a vector of consecutive outputs takes one FMA per input, reading B's rows
 * in order and packing nothing. {@code width} is a multiple of {@link #WIDTH}: every pass is four whole
 * vectors, with no mask (masked loads near an array's end leave the compiled path) and no scalar tail.
 * Each output is {@code y} then the products added in order of {@code k}, one FMA each: the sums the
 * GEMM makes, bit for bit. {@link RowTimesMatrixReference} is the scalar definition.
 */
public final class RowTimesMatrix {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Outputs per pass over x: four vectors, whose four chains of FMAs hide each other's latency. */
    public static final int WIDTH = 4 * LANES;

    private RowTimesMatrix() {
    }

    public static void multiplyAdd(int k, int width, float[] x, int xOff, float[] b, int bOff, float[] y, int yOff) {
        if (width % WIDTH != 0) {
            throw new IllegalArgumentException("width " + width + " must be a multiple of " + WIDTH);
        }
        for (int j = 0; j < width; j += WIDTH) {
            FloatVector s0 = FloatVector.fromArray(SPECIES, y, yOff + j);
            FloatVector s1 = FloatVector.fromArray(SPECIES, y, yOff + j + LANES);
            FloatVector s2 = FloatVector.fromArray(SPECIES, y, yOff + j + 2 * LANES);
            FloatVector s3 = FloatVector.fromArray(SPECIES, y, yOff + j + 3 * LANES);
            for (int p = 0, row = bOff + j; p < k; p++, row += width) {
                FloatVector v = FloatVector.broadcast(SPECIES, x[xOff + p]);
                s0 = v.fma(FloatVector.fromArray(SPECIES, b, row), s0);
                s1 = v.fma(FloatVector.fromArray(SPECIES, b, row + LANES), s1);
                s2 = v.fma(FloatVector.fromArray(SPECIES, b, row + 2 * LANES), s2);
                s3 = v.fma(FloatVector.fromArray(SPECIES, b, row + 3 * LANES), s3);
            }
            s0.intoArray(y, yOff + j);
            s1.intoArray(y, yOff + j + LANES);
            s2.intoArray(y, yOff + j + 2 * LANES);
            s3.intoArray(y, yOff + j + 3 * LANES);
        }
    }
}
