package pipeline.convnet.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * Holds an op's backward pass to central finite differences of the scalar {@code L = Σ y·R}
 * (R fixed and random), for every input and every parameter.
 *
 * <p>Inputs are distinct values at least 0.025 from each other and from zero, so that a step of
 * {@link #EPS} never crosses a kink of ReLU or changes which element a max-pool picks.
 */
public final class GradientCheck {

    static final float EPS = 1e-2f;

    private GradientCheck() {
    }

    /** Distinct, kink-free values: a shuffle of ±0.025, ±0.075, …, scaled to roughly [−1, 1]. */
    public static Tensor input(long seed, int... shape) {
        int size = Shapes.size(shape);
        List<Float> values = new ArrayList<>();
        float gap = Math.max(0.05f, 2f / size);
        for (int i = 0; i < size; i++) {
            float magnitude = gap / 2 + (i / 2) * gap;
            values.add(i % 2 == 0 ? magnitude : -magnitude);
        }
        Collections.shuffle(values, new Random(seed));
        float[] data = new float[size];
        for (int i = 0; i < size; i++) {
            data[i] = values.get(i);
        }
        return new Tensor(data, shape);
    }

    public static void randomise(List<Parameter> parameters, long seed) {
        Random random = new Random(seed);
        for (Parameter p : parameters) {
            float[] w = p.value().data();
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (random.nextGaussian() * 0.5);
            }
        }
    }

    static void check(Layer layer, Tensor x, Mode mode) {
        check(layer, List.of(x), mode);
    }

    /** Checks the gradients of {@code op}'s first output with respect to every input and parameter. */
    public static void check(Op op, List<Tensor> xs, Mode mode) {
        Tensor y = op.forward(xs, mode).getFirst();
        Random random = new Random(99);
        float[] r = new float[y.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) random.nextGaussian();
        }
        Tensor weights = new Tensor(r, y.shape());
        op.parameters().forEach(Parameter::zeroGrad);
        List<Tensor> gradIn = op.backward(List.of(weights));

        for (int i = 0; i < xs.size(); i++) {
            assertThat(gradIn.get(i).shape()).as("%s: gradient shape of input %d", op.describe(), i).isEqualTo(xs.get(i).shape());
            compare(op, xs, mode, weights, xs.get(i).data(), gradIn.get(i).data().clone(), "input " + i);
        }
        for (Parameter p : op.parameters()) {
            compare(op, xs, mode, weights, p.value().data(), p.grad().data().clone(), p.name());
        }
    }

    private static void compare(Op op, List<Tensor> xs, Mode mode, Tensor weights, float[] values, float[] analytic,
                                String what) {
        for (int i = 0; i < values.length; i++) {
            float saved = values[i];
            values[i] = saved + EPS;
            double plus = loss(op, xs, mode, weights);
            values[i] = saved - EPS;
            double minus = loss(op, xs, mode, weights);
            values[i] = saved;
            double numeric = (plus - minus) / (2 * EPS);
            double tolerance = 5e-3 + 2e-2 * Math.max(Math.abs(numeric), Math.abs(analytic[i]));
            assertThat((double) analytic[i])
                    .as("%s: d L / d %s[%d] (numeric %.5f)", op.describe(), what, i, numeric)
                    .isCloseTo(numeric, offset(tolerance));
        }
    }

    private static double loss(Op op, List<Tensor> xs, Mode mode, Tensor weights) {
        Tensor y = op.forward(xs, mode).getFirst();
        double sum = 0;
        for (int i = 0; i < y.size(); i++) {
            sum += (double) y.data()[i] * weights.data()[i];
        }
        return sum;
    }
}
