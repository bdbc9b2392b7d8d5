package pipeline.convnet.layer;

import java.util.Arrays;
import java.util.List;
import pipeline.convnet.kernel.Parallelism;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * Batch normalisation over {@code [N, C, H, W]}, per channel, with learnable scale γ and shift β.
 *
 * <p>Training normalises with the batch's mean and (biased) variance over {@code M = N·H·W} values
 * and updates the running statistics ({@code momentum} 0.1, unbiased variance, as PyTorch);
 * inference normalises with the running statistics. Backward in training:
 * {@code dx = γ/(σ·M) · (M·dy − Σdy − x̂·Σ(dy·x̂))}; in inference it is the affine map's {@code γ/σ}.
 * Statistics and {@code x̂} are computed in double: in float, channels with a tiny batch variance lose
 * the input gradient's precision. Channels are independent and run in parallel.
 */
public final class BatchNorm2d implements Layer {

    private final int channels;
    private final float eps;
    private final float momentum;
    private final Parameter gamma;
    private final Parameter beta;
    private final float[] runningMean;
    private final float[] runningVar;
    private Mode lastMode;
    /** What backward needs from the last forward pass: its input, and per channel the mean and 1/σ used. */
    private Tensor input;
    private double[] mean;
    private double[] invStd;

    public BatchNorm2d(int channels) {
        this(channels, 1e-5f, 0.1f);
    }

    public BatchNorm2d(int channels, float eps, float momentum) {
        if (channels < 1) {
            throw new IllegalArgumentException("batchnorm2d: channels must be positive; got " + channels);
        }
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        Tensor ones = Tensor.zeros(channels);
        Arrays.fill(ones.data(), 1f);
        this.gamma = Parameter.of("gamma", ones, false);
        this.beta = Parameter.of("beta", Tensor.zeros(channels), false);
        this.runningMean = new float[channels];
        this.runningVar = new float[channels];
        Arrays.fill(runningVar, 1f);
    }

    public Parameter gamma() {
        return gamma;
    }

    public Parameter beta() {
        return beta;
    }

    /** Running mean per channel (live, not a copy: model files save and restore it). */
    public float[] runningMean() {
        return runningMean;
    }

    /** Running variance per channel (live). */
    public float[] runningVar() {
        return runningVar;
    }

    /** The share of a batch's statistics in the running ones at each training step (PyTorch's {@code momentum}). */
    public float momentum() {
        return momentum;
    }

    public float eps() {
        return eps;
    }

    @Override
    public String describe() {
        return "batchnorm2d(" + channels + ")";
    }

    @Override
    public int[] outputShape(int[] in) {
        Shapes.require(describe(), in, -1, channels, -1, -1);
        return in.clone();
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Tensor y = Tensor.zeros(x.shape());
        double[] means = new double[channels];
        double[] inverses = new double[channels];
        normalise(x, y, mode, means, inverses);
        input = x;
        mean = means;
        invStd = inverses;
        lastMode = mode;
        return y;
    }

    @Override
    public void infer(Tensor x, Tensor out) {
        normalise(x, out, Mode.INFER, null, null);
    }

    @Override
    public boolean elementwise() {
        return true;
    }

    /** {@code y = γ·(x − μ)/σ + β} with the batch's statistics (training) or the running ones; μ and 1/σ into the arrays if given. */
    private void normalise(Tensor x, Tensor y, Mode mode, double[] means, double[] inverses) {
        Shapes.require(describe(), x, -1, channels, -1, -1);
        int n = x.dim(0);
        int plane = x.dim(2) * x.dim(3);
        long m = (long) n * plane;
        float[] in = x.data();
        Parallelism.forRange(channels, 1, (from, to) -> {
            for (int c = from; c < to; c++) {
                double mean;
                double var;
                if (mode == Mode.TRAIN) {
                    double sum = 0;
                    for (int i = 0; i < n; i++) {
                        for (int at = (i * channels + c) * plane, end = at + plane; at < end; at++) {
                            sum += in[at];
                        }
                    }
                    mean = sum / m;
                    double squares = 0;
                    for (int i = 0; i < n; i++) {
                        for (int at = (i * channels + c) * plane, end = at + plane; at < end; at++) {
                            double d = in[at] - mean;
                            squares += d * d;
                        }
                    }
                    var = squares / m;
                    runningMean[c] = (float) ((1 - momentum) * runningMean[c] + momentum * mean);
                    runningVar[c] = (float) ((1 - momentum) * runningVar[c] + momentum * (m > 1 ? var * m / (m - 1) : var));
                } else {
                    mean = runningMean[c];
                    var = runningVar[c];
                }
                double inv = 1.0 / Math.sqrt(var + eps);
                if (means != null) {
                    means[c] = mean;
                    inverses[c] = inv;
                }
                float g = gamma.value().data()[c];
                float b = beta.value().data()[c];
                for (int i = 0; i < n; i++) {
                    for (int at = (i * channels + c) * plane, end = at + plane; at < end; at++) {
                        y.data()[at] = g * (float) ((in[at] - mean) * inv) + b;
                    }
                }
            }
        });
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Shapes.require(describe() + " backward", gradOut, input.shape());
        int n = gradOut.dim(0);
        int plane = gradOut.dim(2) * gradOut.dim(3);
        double m = (double) n * plane;
        float[] in = input.data();
        float[] dy = gradOut.data();
        Tensor gradIn = Tensor.zeros(gradOut.shape());
        Parallelism.forRange(channels, 1, (from, to) -> {
            for (int c = from; c < to; c++) {
                double mu = mean[c];
                double inv = invStd[c];
                double sumDy = 0;
                double sumDyXhat = 0;
                for (int i = 0; i < n; i++) {
                    for (int at = (i * channels + c) * plane, end = at + plane; at < end; at++) {
                        sumDy += dy[at];
                        sumDyXhat += dy[at] * ((in[at] - mu) * inv);
                    }
                }
                gamma.grad().data()[c] += (float) sumDyXhat;
                beta.grad().data()[c] += (float) sumDy;
                double scale = gamma.value().data()[c] * inv;
                boolean batchStatistics = lastMode == Mode.TRAIN;
                for (int i = 0; i < n; i++) {
                    for (int at = (i * channels + c) * plane, end = at + plane; at < end; at++) {
                        gradIn.data()[at] = (float) (batchStatistics
                                ? scale / m * (m * dy[at] - sumDy - (in[at] - mu) * inv * sumDyXhat)
                                : scale * dy[at]);
                    }
                }
            }
        });
        return gradIn;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(gamma, beta);
    }
}
