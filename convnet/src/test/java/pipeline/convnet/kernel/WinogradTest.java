package pipeline.convnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import pipeline.convnet.layer.Conv2d;
import pipeline.convnet.tensor.Tensor;

/**
 * Winograd F(4×4, 3×3) equals its scalar reference bit for bit (padding 0, 1 and 2, output sizes
 * that drop part of a tile, rows of more tiles than a vector has lanes, output channels not a whole panel, batches of one chunk and of many, one and
 * two threads, bias or none, ReLU and ReLU6), and the engine's direct convolution within float rounding.
 */
class WinogradTest {

    @AfterEach
    void restoreThreads() {
        Parallelism.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @ParameterizedTest(name = "n {0}, C {1} → OC {2}, {3}×{4}, padding {5}×{6}")
    @CsvSource({
            "2, 16, 16, 8, 8, 1, 1",
            "3, 5, 7, 9, 13, 1, 1",
            "1, 32, 20, 7, 7, 1, 1",
            "2, 8, 24, 10, 6, 0, 0",
            "2, 3, 9, 5, 11, 2, 0",
            "64, 16, 16, 16, 16, 1, 1",
            "2, 4, 8, 9, 70, 1, 1",
            "1, 1, 1, 1, 1, 1, 1"})
    void equalsItsReferenceAndTheDirectConvolution(int n, int channels, int outChannels, int h, int w, int padH, int padW) {
        Winograd.Geometry g = new Winograd.Geometry(n, channels, h, w, padH, padW, outChannels);
        SplittableRandom random = new SplittableRandom(n * 1000L + channels * 10L + h);
        float[] x = gaussian(random, n * channels * h * w);
        float[] weight = gaussian(random, outChannels * channels * 9);
        float[] bias = gaussian(random, outChannels);
        Winograd.Weights u = Winograd.transform(weight, outChannels, channels);
        int outSize = n * outChannels * g.outH() * g.outW();
        for (float cap : new float[] {0f, 6f, Float.POSITIVE_INFINITY}) {
            for (float[] b : new float[][] {bias, null}) {
                float[] expected = new float[outSize];
                WinogradReference.convolve(g, weight, x, b, cap, expected);
                for (int threads : new int[] {1, 2}) {
                    Parallelism.setThreads(threads);
                    float[] actual = new float[outSize];
                    Winograd.convolve(g, u, x, b, cap, actual);
                    assertThat(actual).as("cap %s, bias %s, %d threads", cap, b != null, threads)
                            .usingElementComparator(Float::compare).containsExactly(expected);
                }
            }
        }

        float[] plain = new float[outSize];
        WinogradReference.convolve(g, weight, x, bias, 0f, plain);
        Conv2d conv = new Conv2d(channels, outChannels, 3, 3, 1, 1, padH, padW, 1, 1, 1, true);
        System.arraycopy(weight, 0, conv.weight().value().data(), 0, weight.length);
        System.arraycopy(bias, 0, conv.bias().value().data(), 0, outChannels);
        Tensor direct = Tensor.zeros(n, outChannels, g.outH(), g.outW());
        conv.infer(new Tensor(x, n, channels, h, w), direct);
        float scale = (float) Math.sqrt(9.0 * channels);
        for (int i = 0; i < outSize; i++) {
            assertThat(plain[i]).as("output %d", i).isCloseTo(direct.data()[i], within(2e-5f * scale * (1 + Math.abs(direct.data()[i]))));
        }
    }

    @Test
    void refusesWeightsOfOtherChannelsAndInputsSmallerThanTheKernel() {
        Winograd.Weights u = Winograd.transform(new float[4 * 2 * 9], 4, 2);
        Winograd.Geometry threeChannels = new Winograd.Geometry(1, 3, 4, 4, 1, 1, 4);
        assertThatThrownBy(() -> Winograd.convolve(threeChannels, u, new float[48], null, 0f, new float[64]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weights for 2→4 channels applied to 3→4");
        assertThatThrownBy(() -> new Winograd.Geometry(1, 2, 2, 5, 0, 1, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2×5 input padded by 0×1 is smaller than the 3×3 kernel");
    }

    private static float[] gaussian(SplittableRandom random, int length) {
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
