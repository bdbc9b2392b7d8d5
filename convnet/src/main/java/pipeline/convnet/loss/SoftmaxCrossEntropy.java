package pipeline.convnet.loss;

import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * Softmax and cross-entropy fused, from logits {@code [N, K]} and class indices, averaged over the
 * batch, with optional label smoothing ε (targets {@code (1−ε)·onehot + ε/K}).
 *
 * <p>Numerically stable: {@code log softmax(z)_k = z_k − max z − log Σ exp(z_j − max z)}, so no
 * exponential overflows. The gradient is {@code (softmax(z) − target) / N}.
 */
public final class SoftmaxCrossEntropy {

    private final float smoothing;

    /** The loss of a batch and its gradient with respect to the logits. */
    public record Result(float loss, Tensor gradLogits, Tensor probabilities) {}

    public SoftmaxCrossEntropy(float smoothing) {
        if (!(smoothing >= 0f && smoothing < 1f)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1); got " + smoothing);
        }
        this.smoothing = smoothing;
    }

    public Result compute(Tensor logits, int[] labels) {
        Shapes.require("softmax cross-entropy", logits, labels.length, -1);
        int n = logits.dim(0);
        int k = logits.dim(1);
        Tensor probabilities = softmax(logits);
        Tensor grad = Tensor.zeros(n, k);
        double total = 0;
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= k) {
                throw new IllegalArgumentException("label " + labels[i] + " of sample " + i + " is not a class index from 0 to " + (k - 1));
            }
            float[] z = logits.data();
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, z[i * k + j]);
            }
            double sumExp = 0;
            for (int j = 0; j < k; j++) {
                sumExp += Math.exp(z[i * k + j] - max);
            }
            double logSumExp = max + Math.log(sumExp);
            for (int j = 0; j < k; j++) {
                float target = (j == labels[i] ? 1f - smoothing : 0f) + smoothing / k;
                total -= target * (z[i * k + j] - logSumExp);
                grad.data()[i * k + j] = (probabilities.data()[i * k + j] - target) / n;
            }
        }
        return new Result((float) (total / n), grad, probabilities);
    }

    /** Row-wise softmax of {@code [N, K]} logits. */
    public static Tensor softmax(Tensor logits) {
        int n = logits.dim(0);
        int k = logits.dim(1);
        Tensor p = Tensor.zeros(n, k);
        for (int i = 0; i < n; i++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, logits.data()[i * k + j]);
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                double e = Math.exp(logits.data()[i * k + j] - max);
                p.data()[i * k + j] = (float) e;
                sum += e;
            }
            for (int j = 0; j < k; j++) {
                p.data()[i * k + j] /= (float) sum;
            }
        }
        return p;
    }
}
