package pipeline.convnet.net;

import java.util.SplittableRandom;
import pipeline.convnet.tensor.Tensor;

/** Reproducible noise images {@code [n, 1, 28, 28]} for tests that need inputs, not pictures. */
final class RandomImages {

    private RandomImages() {
    }

    static Tensor gaussian(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] data = new float[n * 28 * 28];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        return new Tensor(data, n, 1, 28, 28);
    }
}
