package pipeline.convnet.layer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import pipeline.convnet.kernel.Elementwise;
import pipeline.convnet.kernel.Parallelism;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * {@code y = main(x) + shortcut(x)}: the residual connection, with an identity shortcut
 * ({@code shortcut == null}) or a projection (e.g. a 1×1 convolution with stride, and batch-norm)
 * when the main path changes the shape. Backward sends the gradient down both paths and adds.
 */
public final class Residual implements Layer {

    /** Elements per parallel chunk of the sum: enough to repay handing a chunk to another thread. */
    private static final int GRAIN = 1 << 15;

    private final Layer main;
    private final Layer shortcut;
    /** ReLU applied to the sum as it is written: set only on networks fused for inference. */
    private final boolean fusedRelu;

    public Residual(Layer main, Layer shortcut) {
        this(main, shortcut, false);
    }

    private Residual(Layer main, Layer shortcut, boolean fusedRelu) {
        this.main = main;
        this.shortcut = shortcut;
        this.fusedRelu = fusedRelu;
    }

    /** {@code relu(main(x) + shortcut(x))} with the given paths, for inference (it has no backward pass). */
    public static Residual fusedWithRelu(Layer main, Layer shortcut) {
        return new Residual(main, shortcut, true);
    }

    public Layer main() {
        return main;
    }

    /** The projection, or {@code null} for identity. */
    public Layer shortcut() {
        return shortcut;
    }

    /** Whether a ReLU is applied to the sum as it is written (networks fused for inference). */
    public boolean fusedRelu() {
        return fusedRelu;
    }

    /** {@code out = main + shortcut}, then ReLU if {@code relu}; {@code out} may be either operand. */
    public static void sum(Tensor main, Tensor shortcut, Tensor out, boolean relu) {
        Parallelism.forRange(out.size(), GRAIN,
                (from, to) -> Elementwise.add(main.data(), shortcut.data(), out.data(), from, to, relu));
    }

    @Override
    public String describe() {
        return "residual(" + main.describe() + " + " + (shortcut == null ? "identity" : shortcut.describe()) + ")"
                + (fusedRelu ? " → relu" : "");
    }

    @Override
    public int[] outputShape(int[] in) {
        int[] mainOut = main.outputShape(in);
        int[] shortOut = shortcut == null ? in : shortcut.outputShape(in);
        requireSame(mainOut, shortOut);
        return mainOut;
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Tensor a = main.forward(x, mode);
        Tensor b = shortcut == null ? x : shortcut.forward(x, mode);
        requireSame(a.shape(), b.shape());
        Tensor y = Tensor.zeros(a.shape());
        sum(a, b, y, fusedRelu);
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        if (fusedRelu) {
            throw new IllegalStateException(describe() + " is fused for inference and has no backward pass;"
                    + " train, or take gradients of, the network as declared");
        }
        Tensor viaMain = main.backward(gradOut);
        Tensor viaShortcut = shortcut == null ? gradOut : shortcut.backward(gradOut);
        Tensor gradIn = Tensor.zeros(viaMain.shape());
        sum(viaMain, viaShortcut, gradIn, false);
        return gradIn;
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> params = new ArrayList<>(main.parameters());
        if (shortcut != null) {
            params.addAll(shortcut.parameters());
        }
        return params;
    }

    @Override
    public long derivedFloats() {
        return main.derivedFloats() + (shortcut == null ? 0 : shortcut.derivedFloats());
    }

    private void requireSame(int[] mainOut, int[] shortOut) {
        if (!Arrays.equals(mainOut, shortOut)) {
            throw new IllegalArgumentException(describe() + ": the main path gives " + Shapes.toString(mainOut)
                    + " but the shortcut gives " + Shapes.toString(shortOut)
                    + "; a shape-changing block needs a projection shortcut");
        }
    }
}
