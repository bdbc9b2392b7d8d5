package pipeline.convnet.layer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import pipeline.convnet.kernel.Winograd;
import pipeline.convnet.kernel.WinogradReference;
import pipeline.convnet.tensor.Tensor;

/**
 * A convolution's serving copy ({@link Conv2d#forServing}) infers a 3×3, stride-1, undilated,
 * ungrouped convolution of 64 channels or more by Winograd's F(4×4, 3×3), bias and fused ReLU
 * included, when the batch has tiles and channels enough to pay ({@link Winograd#pays}: not 4 tiles
 * of a 7×7 map at batch 1, nor 64 channels on a row of one tile); every other convolution, and those
 * batches, exactly as the layer it was copied from.
 */
class ConvolutionServingTest {

    @ParameterizedTest(name = "{0}→{1} kernel {2}, stride {3}, padding {4}, dilation {5}, groups {6}, batch {7} of {8}×{8}: Winograd {9}")
    @CsvSource({
            "64, 40, 3, 1, 1, 1, 1, 2, 30, true",
            "128, 40, 3, 1, 0, 1, 1, 4, 7, true",
            "64, 16, 3, 1, 1, 1, 1, 1, 7, false",
            "64, 16, 3, 1, 0, 1, 1, 16, 6, false",
            "32, 32, 3, 1, 1, 1, 1, 3, 9, false",
            "64, 32, 3, 2, 1, 1, 1, 3, 9, false",
            "64, 32, 3, 1, 2, 2, 1, 3, 9, false",
            "64, 32, 3, 1, 1, 1, 2, 3, 9, false",
            "64, 32, 1, 1, 0, 1, 1, 3, 9, false",
            "64, 32, 5, 1, 2, 1, 1, 3, 9, false"})
    void servesByWinogradExactlyWhereItApplies(int in, int out, int kernel, int stride, int pad, int dilation, int groups,
                                               int batch, int size, boolean winograd) {
        Conv2d conv = Conv2d.square(in, out, kernel, stride, pad, dilation, groups, true);
        SplittableRandom random = new SplittableRandom(in * 31L + out + kernel);
        fill(conv.weight().value().data(), random);
        fill(conv.bias().value().data(), random);
        float[] data = new float[batch * in * size * size];
        fill(data, random);
        Tensor x = new Tensor(data, batch, in, size, size);
        Conv2d fused = conv.withFusedRelu();

        Tensor served = fused.forServing().forward(x, Mode.INFER);

        float[] expected;
        if (winograd) {
            Winograd.Geometry g = new Winograd.Geometry(batch, in, size, size, pad, pad, out);
            expected = new float[batch * out * g.outH() * g.outW()];
            WinogradReference.convolve(g, conv.weight().value().data(), data, conv.bias().value().data(),
                    Float.POSITIVE_INFINITY, expected);
        } else {
            expected = fused.forward(x, Mode.INFER).data();
        }
        assertThat(served.data()).usingElementComparator(Float::compare).containsExactly(expected);
    }

    private static void fill(float[] values, SplittableRandom random) {
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
    }
}
