package pipeline.convnet.optim;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import pipeline.convnet.layer.Parameter;

/**
 * Adam with bias correction; weight decay either added to the gradient (Adam's L2) or, for
 * AdamW, decoupled: {@code w −= lr·λ·w} before the Adam step.
 * {@code m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; w −= lr · m̂ / (√v̂ + ε)}.
 */
public final class Adam implements Optimizer {

    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private final boolean decoupled;
    private final Map<Parameter, float[][]> moments = new IdentityHashMap<>();
    private int steps;

    public Adam(float beta1, float beta2, float eps, float weightDecay, boolean decoupled) {
        if (!(beta1 >= 0f && beta1 < 1f && beta2 >= 0f && beta2 < 1f && eps > 0f && weightDecay >= 0f)) {
            throw new IllegalArgumentException("adam: betas must be in [0, 1), eps > 0 and weight decay ≥ 0; got β1 " + beta1
                    + ", β2 " + beta2 + ", eps " + eps + ", weight decay " + weightDecay);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
    }

    public static Adam adam(float weightDecay) {
        return new Adam(0.9f, 0.999f, 1e-8f, weightDecay, false);
    }

    public static Adam adamW(float weightDecay) {
        return new Adam(0.9f, 0.999f, 1e-8f, weightDecay, true);
    }

    @Override
    public void step(List<Parameter> parameters, float lr) {
        steps++;
        float correction1 = 1f - (float) Math.pow(beta1, steps);
        float correction2 = 1f - (float) Math.pow(beta2, steps);
        for (Parameter p : parameters) {
            float[] w = p.value().data();
            float[] g = p.grad().data();
            float[][] mv = moments.computeIfAbsent(p, k -> new float[][] {new float[w.length], new float[w.length]});
            float decay = p.decay() ? weightDecay : 0f;
            for (int i = 0; i < w.length; i++) {
                float grad = g[i];
                if (decoupled) {
                    w[i] -= lr * decay * w[i];
                } else {
                    grad += decay * w[i];
                }
                mv[0][i] = beta1 * mv[0][i] + (1f - beta1) * grad;
                mv[1][i] = beta2 * mv[1][i] + (1f - beta2) * grad * grad;
                float mHat = mv[0][i] / correction1;
                float vHat = mv[1][i] / correction2;
                w[i] -= lr * mHat / ((float) Math.sqrt(vHat) + eps);
            }
        }
    }
}
