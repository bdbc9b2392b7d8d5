package pipeline.convnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The vectorised depthwise kernel equals its plain loops forward, for the input gradient (through
 * the phase layout and back) and for the weight gradient, on sizes with a partial last vector,
 * strides 1 and 2 (different per axis), padding and dilation.
 */
class DepthwiseTest {

    @ParameterizedTest(name = "{0}×{1} kernel {2}×{3} stride {4}×{5} padding {6}×{7} dilation {8}×{9}")
    @CsvSource({
            "7, 9, 3, 3, 1, 1, 1, 1, 1, 1",
            "28, 37, 3, 3, 2, 2, 1, 1, 1, 1",
            "13, 5, 5, 5, 2, 2, 2, 2, 1, 1",
            "11, 20, 3, 3, 1, 1, 2, 2, 2, 2",
            "9, 17, 2, 3, 2, 1, 1, 0, 1, 2",
            "4, 4, 1, 1, 1, 1, 0, 0, 1, 1"})
    void vectorEqualsScalarReference(int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
        int oh = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
        int ow = (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
        Depthwise.Plane p = new Depthwise.Plane(h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow);
        SplittableRandom random = new SplittableRandom(h * 31L + w);
        float[] in = GemmTest.random(random, 3 + h * w);
        float[] weights = GemmTest.random(random, 2 + kh * kw);
        float[] dOut = GemmTest.random(random, 1 + oh * ow);
        float[] phases = new float[p.phases()];
        float[] row = new float[p.row()];

        float[] expected = new float[oh * ow];
        float[] actual = new float[oh * ow];
        DepthwiseReference.forward(p, in, 3, weights, 2, expected, 0);
        Depthwise.split(p, in, 3, phases, 0);
        Depthwise.forward(p, phases, 0, weights, 2, actual, 0, row);
        assertClose(actual, expected, "forward");

        float[] expectedDIn = new float[h * w];
        float[] actualDIn = new float[h * w];
        float[] dPhases = new float[p.phases()];
        DepthwiseReference.inputGradient(p, dOut, 1, weights, 2, expectedDIn, 0);
        Depthwise.inputGradient(p, dOut, 1, weights, 2, dPhases, 0, row);
        Depthwise.merge(p, dPhases, 0, actualDIn, 0);
        assertClose(actualDIn, expectedDIn, "input gradient");

        float[] expectedDW = new float[kh * kw];
        float[] partial = new float[p.partials()];
        DepthwiseReference.weightGradient(p, dOut, 1, in, 3, expectedDW, 0);
        Depthwise.weightGradient(p, dOut, 1, phases, 0, partial, row);
        float[] actualDW = new float[kh * kw];
        for (int t = 0; t < kh * kw; t++) {
            actualDW[t] = Depthwise.laneSum(partial, t);
        }
        assertClose(actualDW, expectedDW, "weight gradient");
    }

    private static void assertClose(float[] actual, float[] expected, String what) {
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as("%s, element %d", what, i).isCloseTo(expected[i], offset(1e-4f));
        }
    }
}
