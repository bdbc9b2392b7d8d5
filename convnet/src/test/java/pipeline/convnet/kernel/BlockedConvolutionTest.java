package pipeline.convnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import pipeline.convnet.layer.Conv2d;
import pipeline.convnet.tensor.Tensor;

/**
 * The channel-blocked direct convolution equals its scalar reference bit for bit (padding on every
 * edge, rows not a whole number of pixel blocks, strides, dilation, rows given in two ranges, residual
 * and ReLU6 fused), and the engine's
 * NCHW convolution on the same numbers within float rounding (the sums run in another order).
 */
class BlockedConvolutionTest {

    @ParameterizedTest(name = "C {0} → OC {1}, {2}×{3}, kernel {4}, stride {5}, padding {6}, dilation {7}")
    @CsvSource({
            "16, 16, 28, 28, 3, 1, 1, 1",
            "20, 40, 9, 13, 3, 2, 1, 1",
            "3, 16, 23, 23, 7, 2, 3, 1",
            "32, 16, 7, 7, 1, 1, 0, 1",
            "16, 32, 12, 30, 3, 1, 2, 2",
            "5, 7, 4, 3, 3, 1, 1, 1"})
    void equalsItsReferenceAndTheEngine(int channels, int outChannels, int h, int w, int kernel, int stride, int pad,
                                        int dilation) {
        int n = 2;
        int outH = (h + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
        int outW = (w + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
        int inBlocks = Math.ceilDiv(channels, BlockedConvolution.BLOCK);
        int outBlocks = Math.ceilDiv(outChannels, BlockedConvolution.BLOCK);
        BlockedConvolution.Geometry g = new BlockedConvolution.Geometry(n, inBlocks, h, w, outBlocks, kernel, kernel, stride,
                stride, pad, pad, dilation, dilation, outH, outW);
        SplittableRandom random = new SplittableRandom(channels * 1000L + h * 10L + kernel);
        float[] image = gaussian(random, n * channels * h * w);
        float[] weight = gaussian(random, outChannels * channels * kernel * kernel);
        float[] bias = new float[outBlocks * BlockedConvolution.BLOCK];
        float[] plainBias = gaussian(random, outChannels);
        System.arraycopy(plainBias, 0, bias, 0, outChannels);
        float[] x = BlockedConvolutionReference.toBlocked(image, n, channels, h, w);
        float[] blockedWeight = BlockedConvolutionReference.blockedWeight(weight, outChannels, channels, kernel, kernel);
        int outSize = n * outBlocks * outH * outW * BlockedConvolution.BLOCK;
        float[] residual = gaussian(random, outSize);

        float[] padded = new float[BlockedConvolution.paddedSize(g)];
        BlockedConvolution.pad(g, x, padded);
        float[] tail = new float[BlockedConvolution.PIXELS * BlockedConvolution.BLOCK];
        for (float cap : new float[] {0f, 6f}) {
            float[] expected = new float[outSize];
            BlockedConvolutionReference.forward(g, x, blockedWeight, bias, residual, cap, expected);
            float[] actual = new float[outSize];
            int middle = g.rows() / 3;
            BlockedConvolution.forward(g, padded, blockedWeight, bias, residual, cap, actual, 0, middle, tail);
            BlockedConvolution.forward(g, padded, blockedWeight, bias, residual, cap, actual, middle, g.rows(), tail);
            assertThat(actual).as("cap %s", cap).usingElementComparator(Float::compare).containsExactly(expected);
        }

        float[] plain = new float[outSize];
        BlockedConvolution.forward(g, padded, blockedWeight, bias, null, 0f, plain, 0, g.rows(), tail);
        Conv2d conv = Conv2d.square(channels, outChannels, kernel, stride, pad, dilation, 1, true);
        System.arraycopy(weight, 0, conv.weight().value().data(), 0, weight.length);
        System.arraycopy(plainBias, 0, conv.bias().value().data(), 0, outChannels);
        Tensor engine = Tensor.zeros(n, outChannels, outH, outW);
        conv.infer(new Tensor(image, n, channels, h, w), engine);
        float[] engineBlocked = BlockedConvolutionReference.toBlocked(engine.data(), n, outChannels, outH, outW);
        for (int i = 0; i < outSize; i++) {
            assertThat(plain[i]).as("output %d", i).isCloseTo(engineBlocked[i], within(1e-4f * (1 + Math.abs(engineBlocked[i]))));
        }
    }

    private static float[] gaussian(SplittableRandom random, int length) {
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
