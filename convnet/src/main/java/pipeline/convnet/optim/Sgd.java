package pipeline.convnet.optim;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import pipeline.convnet.layer.Parameter;

/**
 * Stochastic gradient descent with momentum μ, optional Nesterov momentum and L2 weight decay λ,
 * with PyTorch's update rule: {@code d = g + λw; v = μv + d (v = d on the first step);
 * w −= lr · (nesterov ? d + μv : v)}.
 */
public final class Sgd implements Optimizer {

    private final float momentum;
    private final boolean nesterov;
    private final float weightDecay;
    private final Map<Parameter, float[]> velocity = new IdentityHashMap<>();

    public Sgd(float momentum, boolean nesterov, float weightDecay) {
        if (momentum < 0f || weightDecay < 0f || (nesterov && momentum == 0f)) {
            throw new IllegalArgumentException("sgd: momentum and weight decay must be ≥ 0, and Nesterov needs momentum > 0;"
                    + " got momentum " + momentum + ", weight decay " + weightDecay + ", nesterov " + nesterov);
        }
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.weightDecay = weightDecay;
    }

    @Override
    public void step(List<Parameter> parameters, float lr) {
        for (Parameter p : parameters) {
            float[] w = p.value().data();
            float[] g = p.grad().data();
            float decay = p.decay() ? weightDecay : 0f;
            float[] v = momentum == 0f ? null : velocity.get(p);
            boolean first = momentum != 0f && v == null;
            if (first) {
                v = new float[w.length];
                velocity.put(p, v);
            }
            for (int i = 0; i < w.length; i++) {
                float d = g[i] + decay * w[i];
                if (v != null) {
                    v[i] = first ? d : momentum * v[i] + d;
                    d = nesterov ? d + momentum * v[i] : v[i];
                }
                w[i] -= lr * d;
            }
        }
    }
}
