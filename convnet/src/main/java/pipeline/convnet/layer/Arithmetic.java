package pipeline.convnet.layer;

import java.util.List;
import pipeline.convnet.kernel.Broadcast;
import pipeline.convnet.kernel.Parallelism;
import pipeline.convnet.tensor.Tensor;

/**
 * {@code y = a op b} for add, subtract, multiply and divide, with broadcasting ({@link Broadcast}): a
 * residual block's sum, a squeeze-and-excitation block's per-channel scale, a normalisation's
 * {@code (x − mean) / std}. Backward sums each operand's gradient over the axes along which it repeated.
 */
public final class Arithmetic extends TwoOperands {

    /** Elements per parallel chunk: enough to repay handing a chunk to another thread. */
    private static final int GRAIN = 1 << 15;

    private final Broadcast.Operator operator;
    /** ReLU applied to the result as it is written: set only on networks fused for inference. */
    private final boolean fusedRelu;
    /** The blocks of the last shapes seen (shapes rarely change, so it is made once). */
    private volatile Broadcast.Layout layout;

    public Arithmetic(Broadcast.Operator operator) {
        this(operator, false);
    }

    private Arithmetic(Broadcast.Operator operator, boolean fusedRelu) {
        this.operator = operator;
        this.fusedRelu = fusedRelu;
    }

    /** The same operation with a ReLU applied as the result is written, for inference (it has no backward pass). */
    public Arithmetic withFusedRelu() {
        return new Arithmetic(operator, true);
    }

    public Broadcast.Operator operator() {
        return operator;
    }

    public boolean fusedRelu() {
        return fusedRelu;
    }

    @Override
    public String describe() {
        return operator.name().toLowerCase() + (fusedRelu ? " → relu" : "");
    }

    @Override
    public List<int[]> outputShapes(List<int[]> in) {
        return List.of(Broadcast.shape(describe(), in.get(0), in.get(1)));
    }

    @Override
    public void infer(List<Tensor> inputs, List<Tensor> outputs) {
        float[] x = inputs.get(0).data();
        float[] z = inputs.get(1).data();
        float[] y = outputs.getFirst().data();
        Broadcast.Layout blocks = layoutFor(inputs.get(0).shape(), inputs.get(1).shape());
        Parallelism.forRange(blocks.size(), GRAIN, (from, to) -> Broadcast.apply(operator, blocks, x, z, y, fusedRelu, from, to));
    }

    @Override
    public List<Tensor> backward(List<Tensor> gradOutputs) {
        if (fusedRelu) {
            throw new IllegalStateException(describe() + " is fused for inference and has no backward pass;"
                    + " train, or take gradients of, the network as declared");
        }
        Tensor g = gradOutputs.getFirst();
        if (operator == Broadcast.Operator.ADD && a.sameShape(b)) {
            return List.of(g, g);
        }
        Tensor gradA = Tensor.zeros(a.shape());
        Tensor gradB = Tensor.zeros(b.shape());
        Broadcast.backward(operator, a.data(), a.shape(), b.data(), b.shape(), g.data(), g.shape(), gradA.data(), gradB.data());
        return List.of(gradA, gradB);
    }

    @Override
    public boolean elementwise() {
        return true;
    }

    private Broadcast.Layout layoutFor(int[] aShape, int[] bShape) {
        Broadcast.Layout known = layout;
        if (known == null || !known.fits(aShape, bShape)) {
            known = Broadcast.layout(describe(), aShape, bShape);
            layout = known;
        }
        return known;
    }
}
