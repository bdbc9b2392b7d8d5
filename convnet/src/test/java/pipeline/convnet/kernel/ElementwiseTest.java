package pipeline.convnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The vectorised activations equal their scalar reference bit for bit, on odd ranges and on the
 * values that trip up blends: ±0, ±∞ and NaN, in the input and in the gradient.
 */
class ElementwiseTest {

    private static final float[] AWKWARD = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.MIN_VALUE, -Float.MIN_VALUE, 1e-30f, -1e-30f};

    @ParameterizedTest(name = "slope {0}")
    @ValueSource(floats = {0f, 0.01f, 0.3f})
    void vectorEqualsScalarReference(float slope) {
        SplittableRandom random = new SplittableRandom(Float.floatToIntBits(slope));
        int length = 203;
        float[] x = values(random, length);
        float[] g = values(random, length);
        int from = 3;
        int to = length - 5;

        float[] expected = new float[length];
        float[] actual = new float[length];
        if (slope == 0f) {
            ElementwiseReference.relu(x, expected, from, to);
            Elementwise.relu(x, actual, from, to);
        } else {
            ElementwiseReference.leakyRelu(x, expected, from, to, slope);
            Elementwise.leakyRelu(x, actual, from, to, slope);
        }
        assertThat(actual).usingElementComparator(Float::compare).containsExactly(expected);

        float[] expectedGrad = new float[length];
        float[] actualGrad = new float[length];
        ElementwiseReference.leakyReluGradient(x, g, expectedGrad, from, to, slope);
        Elementwise.leakyReluGradient(x, g, actualGrad, from, to, slope);
        assertThat(actualGrad).usingElementComparator(Float::compare).containsExactly(expectedGrad);
    }

    @ParameterizedTest(name = "cap {0}")
    @ValueSource(floats = {6f, 0.5f, Float.POSITIVE_INFINITY})
    void vectorClampEqualsScalarReference(float cap) {
        float[] x = values(new SplittableRandom(Float.floatToIntBits(cap)), 203);
        for (int i = 0; i < x.length; i += 7) {
            x[i] *= 10;
        }
        float[] expected = new float[x.length];
        float[] actual = new float[x.length];

        ElementwiseReference.clamp(x, expected, 3, x.length - 5, cap);
        Elementwise.clamp(x, actual, 3, x.length - 5, cap);

        assertThat(actual).usingElementComparator(Float::compare).containsExactly(expected);
    }

    @ParameterizedTest(name = "relu {0}")
    @ValueSource(booleans = {false, true})
    void vectorSumEqualsScalarReference(boolean relu) {
        SplittableRandom random = new SplittableRandom(relu ? 7 : 8);
        int length = 203;
        float[] a = values(random, length);
        float[] b = values(random, length);
        float[] expected = new float[length];
        float[] actual = new float[length];

        ElementwiseReference.add(a, b, expected, 3, length - 5, relu);
        Elementwise.add(a, b, actual, 3, length - 5, relu);

        assertThat(actual).usingElementComparator(Float::compare).containsExactly(expected);
    }

    private static float[] values(SplittableRandom random, int length) {
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            values[i] = random.nextInt(4) == 0 ? AWKWARD[random.nextInt(AWKWARD.length)] : (float) random.nextGaussian();
        }
        return values;
    }
}
