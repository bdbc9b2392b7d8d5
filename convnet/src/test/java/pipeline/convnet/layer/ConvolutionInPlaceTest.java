package pipeline.convnet.layer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import pipeline.convnet.kernel.Parallelism;
import pipeline.convnet.tensor.Tensor;

/**
 * Stride-1 inference reads the column matrix in place from the padded image; training writes it out
 * with im2col. Both are the same sums in the same order, so their outputs are equal to the bit, on
 * odd sizes, every padding, dilation and group count, with and without bias and fused ReLU.
 */
class ConvolutionInPlaceTest {

    static Stream<Arguments> convolutions() {
        return Stream.of(
                Arguments.of(1, 16, 3, 3, 1, 1, 1, 28, 28, 32, true),
                Arguments.of(16, 16, 3, 3, 1, 1, 1, 28, 28, 3, false),
                Arguments.of(3, 5, 5, 5, 2, 2, 1, 13, 11, 2, true),
                Arguments.of(6, 4, 3, 3, 0, 0, 1, 9, 7, 1, true),
                Arguments.of(4, 6, 1, 1, 0, 0, 1, 7, 7, 3, true),
                Arguments.of(8, 8, 3, 3, 2, 2, 2, 10, 12, 2, false),
                Arguments.of(6, 6, 3, 1, 1, 0, 2, 8, 5, 2, true),
                Arguments.of(8, 8, 3, 3, 1, 1, 8, 9, 9, 2, true),
                Arguments.of(64, 64, 3, 3, 1, 1, 1, 7, 7, 4, true),
                Arguments.of(48, 40, 3, 3, 1, 1, 1, 14, 14, 1, true));
    }

    @ParameterizedTest(name = "{0}→{1} {2}×{3} pad {4}×{5} dilation {6}-ish groups {6} on {7}×{8}, batch {9}")
    @MethodSource("convolutions")
    void inferenceInPlaceEqualsTheIm2colPathToTheBit(int in, int out, int kh, int kw, int ph, int pw, int groupsOrDilation,
                                                      int h, int w, int batch, boolean bias) {
        int groups = in % groupsOrDilation == 0 && out % groupsOrDilation == 0 && groupsOrDilation > 2 ? groupsOrDilation : 1;
        int dilation = groups == 1 ? Math.min(groupsOrDilation, 2) : 1;
        Conv2d conv = new Conv2d(in, out, kh, kw, 1, 1, ph, pw, dilation, dilation, groups, bias);
        SplittableRandom random = new SplittableRandom(in * 31L + out);
        fill(conv.weight().value().data(), random);
        if (bias) {
            fill(conv.bias().value().data(), random);
        }
        float[] data = new float[batch * in * h * w];
        fill(data, random);
        Tensor x = new Tensor(data, batch, in, h, w);

        for (int threads : new int[] {1, 2}) {
            Parallelism.setThreads(threads);
            Tensor im2col = conv.forward(x, Mode.TRAIN);
            Tensor inPlace = conv.forward(x, Mode.INFER);
            assertThat(inPlace.shape()).isEqualTo(im2col.shape());
            assertThat(inPlace.data()).as("%d threads", threads).isEqualTo(im2col.data());

            Tensor relu = conv.withFusedRelu().forward(x, Mode.INFER);
            float[] expected = im2col.data().clone();
            for (int i = 0; i < expected.length; i++) {
                expected[i] = Math.max(0f, expected[i]);
            }
            assertThat(relu.data()).as("fused ReLU, %d threads", threads).isEqualTo(expected);
        }
        Parallelism.setThreads(Runtime.getRuntime().availableProcessors());
    }

    private static void fill(float[] a, SplittableRandom random) {
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextGaussian();
        }
    }
}
