package pipeline.convnet.layer;

import java.util.SplittableRandom;
import pipeline.convnet.tensor.Tensor;

/**
 * In training, zeroes each value with probability {@code p} and scales the rest by {@code 1/(1−p)}
 * (inverted dropout, so inference is the identity). The mask comes from a seeded generator, so a
 * run is reproducible.
 */
public final class Dropout implements Layer {

    private final float p;
    private final SplittableRandom random;
    private float[] mask;

    public Dropout(float p, long seed) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1); got " + p);
        }
        this.p = p;
        this.random = new SplittableRandom(seed);
    }

    /** The probability of zeroing a value in training. */
    public float probability() {
        return p;
    }

    @Override
    public String describe() {
        return "dropout(" + p + ")";
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        if (mode == Mode.INFER || p == 0f) {
            mask = null;
            return x;
        }
        float keep = 1f / (1f - p);
        mask = new float[x.size()];
        Tensor y = Tensor.zeros(x.shape());
        for (int i = 0; i < mask.length; i++) {
            mask[i] = random.nextFloat() >= p ? keep : 0f;
            y.data()[i] = x.data()[i] * mask[i];
        }
        return y;
    }

    @Override
    public boolean view() {
        return true;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        if (mask == null) {
            return gradOut;
        }
        Tensor gradIn = Tensor.zeros(gradOut.shape());
        for (int i = 0; i < mask.length; i++) {
            gradIn.data()[i] = gradOut.data()[i] * mask[i];
        }
        return gradIn;
    }
}
