package pipeline.convnet.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorised element-wise activations and sums over {@code [from, to)} of flat arrays, equal element for
 * element to {@link ElementwiseReference} (NaN in, NaN out; a NaN gradient is never masked to zero).
 */
public final class Elementwise {

    /** Must be static final: a species in any other field is not compiled to vector instructions. */
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    private Elementwise() {
    }

    /** {@code y = x ≤ 0 ? 0 : x}. */
    public static void relu(float[] x, float[] y, int from, int to) {
        FloatVector zero = FloatVector.zero(SPECIES);
        int i = from;
        for (int bound = from + SPECIES.loopBound(to - from); i < bound; i += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            v.blend(zero, v.compare(VectorOperators.LE, 0f)).intoArray(y, i);
        }
        ElementwiseReference.relu(x, y, i, to);
    }

    /** {@code y = x ≤ 0 ? 0 : x ≥ cap ? cap : x}: ReLU capped (ReLU6 with {@code cap = 6}; ReLU with +∞). */
    public static void clamp(float[] x, float[] y, int from, int to, float cap) {
        FloatVector zero = FloatVector.zero(SPECIES);
        FloatVector top = FloatVector.broadcast(SPECIES, cap);
        int i = from;
        for (int bound = from + SPECIES.loopBound(to - from); i < bound; i += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            v.blend(zero, v.compare(VectorOperators.LE, 0f)).blend(top, v.compare(VectorOperators.GE, cap)).intoArray(y, i);
        }
        ElementwiseReference.clamp(x, y, i, to, cap);
    }

    /** {@code y = a + b}, and {@code relu} of it when {@code relu}, in one pass: a residual block's sum. */
    public static void add(float[] a, float[] b, float[] y, int from, int to, boolean relu) {
        FloatVector zero = FloatVector.zero(SPECIES);
        int i = from;
        for (int bound = from + SPECIES.loopBound(to - from); i < bound; i += LANES) {
            FloatVector sum = FloatVector.fromArray(SPECIES, a, i).add(FloatVector.fromArray(SPECIES, b, i));
            (relu ? sum.blend(zero, sum.compare(VectorOperators.LE, 0f)) : sum).intoArray(y, i);
        }
        ElementwiseReference.add(a, b, y, i, to, relu);
    }

    /** {@code dx = dy · (x > 0 ? 1 : 0)}. */
    public static void reluGradient(float[] x, float[] gradOut, float[] gradIn, int from, int to) {
        leakyReluGradient(x, gradOut, gradIn, from, to, 0f);
    }

    /** {@code y = x > 0 ? x : slope·x}. */
    public static void leakyRelu(float[] x, float[] y, int from, int to, float slope) {
        int i = from;
        for (int bound = from + SPECIES.loopBound(to - from); i < bound; i += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            v.mul(slope).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, i);
        }
        ElementwiseReference.leakyRelu(x, y, i, to, slope);
    }

    /** {@code dx = dy · (x > 0 ? 1 : slope)}. */
    public static void leakyReluGradient(float[] x, float[] gradOut, float[] gradIn, int from, int to, float slope) {
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        FloatVector low = FloatVector.broadcast(SPECIES, slope);
        int i = from;
        for (int bound = from + SPECIES.loopBound(to - from); i < bound; i += LANES) {
            VectorMask<Float> positive = FloatVector.fromArray(SPECIES, x, i).compare(VectorOperators.GT, 0f);
            FloatVector.fromArray(SPECIES, gradOut, i).mul(low.blend(one, positive)).intoArray(gradIn, i);
        }
        ElementwiseReference.leakyReluGradient(x, gradOut, gradIn, i, to, slope);
    }
}
