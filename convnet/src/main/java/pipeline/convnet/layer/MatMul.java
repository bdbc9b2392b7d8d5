package pipeline.convnet.layer;

import java.util.Arrays;
import java.util.List;
import pipeline.convnet.kernel.Broadcast;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * Matrix product with numpy's (and ONNX's) rules: {@code [..., M, K] × [..., K, N] → [..., M, N]}, the leading
 * axes broadcast against each other; a vector operand {@code [K]} is a row (first) or a column (second),
 * whose axis the result drops. Backward: {@code dA = dY·Bᵀ}, {@code dB = Aᵀ·dY}, summed over broadcast axes.
 */
public final class MatMul extends TwoOperands {


    @Override
    public String describe() {
        return "matmul";
    }

    /** The operands as matrices with batch axes, and the result: {@code {a, b, batch, out}}. */
    private static int[][] shapes(int[] a, int[] b) {
        if (a.length == 0 || b.length == 0) {
            throw new IllegalArgumentException("matmul needs operands of rank 1 or more; got " + Shapes.toString(a) + " and "
                    + Shapes.toString(b));
        }
        int[] am = a.length == 1 ? new int[] {1, a[0]} : a;
        int[] bm = b.length == 1 ? new int[] {b[0], 1} : b;
        int k = am[am.length - 1];
        if (bm[bm.length - 2] != k) {
            throw new IllegalArgumentException("matmul cannot multiply " + Shapes.toString(a) + " by " + Shapes.toString(b)
                    + ": " + k + " columns against " + bm[bm.length - 2] + " rows");
        }
        int[] batch = Broadcast.shape("matmul", Arrays.copyOf(am, am.length - 2), Arrays.copyOf(bm, bm.length - 2));
        int[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = am[am.length - 2];
        out[batch.length + 1] = bm[bm.length - 1];
        int[] result = out;
        if (a.length == 1) {
            result = removeAxis(result, result.length - 2);
        }
        if (b.length == 1) {
            result = removeAxis(result, result.length - 1);
        }
        return new int[][] {am, bm, batch, result};
    }

    private static int[] removeAxis(int[] shape, int axis) {
        int[] out = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != axis) {
                out[j++] = shape[i];
            }
        }
        return out;
    }

    @Override
    public List<int[]> outputShapes(List<int[]> in) {
        return List.of(shapes(in.get(0), in.get(1))[3]);
    }

    @Override
    public void infer(List<Tensor> inputs, List<Tensor> outputs) {
        float[] y = outputs.getFirst().data();
        Arrays.fill(y, 0, outputs.getFirst().size(), 0f);
        walk(inputs.get(0), inputs.get(1), (x, xo, z, zo, m, k, n, yo) -> {
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    float v = x[xo + i * k + p];
                    for (int j = 0; j < n; j++) {
                        y[yo + i * n + j] += v * z[zo + p * n + j];
                    }
                }
            }
        });
    }

    @Override
    public List<Tensor> backward(List<Tensor> gradOutputs) {
        float[] g = gradOutputs.getFirst().data();
        Tensor gradA = Tensor.zeros(a.shape());
        Tensor gradB = Tensor.zeros(b.shape());
        float[] da = gradA.data();
        float[] db = gradB.data();
        walk(a, b, (x, xo, z, zo, m, k, n, yo) -> {
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    float sumA = 0f;
                    for (int j = 0; j < n; j++) {
                        float gij = g[yo + i * n + j];
                        sumA += gij * z[zo + p * n + j];
                        db[zo + p * n + j] += x[xo + i * k + p] * gij;
                    }
                    da[xo + i * k + p] += sumA;
                }
            }
        });
        return List.of(gradA, gradB);
    }

    /** One matrix product of the batch: {@code x} at {@code xo} is {@code [m, k]}, {@code z} at {@code zo} {@code [k, n]}, the result at {@code yo}. */
    @FunctionalInterface
    private interface Product {
        void apply(float[] x, int xo, float[] z, int zo, int m, int k, int n, int yo);
    }

    /** Calls {@code product} for every matrix of the broadcast batch, with the offsets of its operands. */
    private static void walk(Tensor a, Tensor b, Product product) {
        int[][] s = shapes(a.shape(), b.shape());
        int[] am = s[0];
        int[] bm = s[1];
        int[] batch = s[2];
        int m = am[am.length - 2];
        int k = am[am.length - 1];
        int n = bm[bm.length - 1];
        int[] aBatch = Arrays.copyOf(am, am.length - 2);
        int[] bBatch = Arrays.copyOf(bm, bm.length - 2);
        for (int index = 0, count = Shapes.size(batch); index < count; index++) {
            product.apply(a.data(), Broadcast.source(index, batch, aBatch) * m * k, b.data(), Broadcast.source(index, batch, bBatch) * k * n,
                    m, k, n, index * m * n);
        }
    }
}
