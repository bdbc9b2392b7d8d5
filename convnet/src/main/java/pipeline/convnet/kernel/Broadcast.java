package pipeline.convnet.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import pipeline.convnet.tensor.Shapes;

/**
 * Element-wise arithmetic on two tensors with numpy's (and ONNX's) broadcasting: shapes aligned at their
 * last axes, each axis of equal size or of size 1 in one of them, which then repeats along it.
 *
 * <p>The output is walked in blocks over its innermost axes where each operand is either contiguous or a
 * single repeated value ({@link Layout}): a whole tensor when shapes are equal, an {@code H·W} plane
 * against one value per channel for {@code [N, C, H, W] · [C, 1, 1]}, a row against a row of
 * biases for {@code [N, F] + [F]}. Blocks run a vector at a time; {@link BroadcastReference} is the
 * element-by-element definition they equal.
 */
public final class Broadcast {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    private Broadcast() {
    }

    /** The four operators; {@code apply} is the scalar definition. */
    public enum Operator {
        ADD, SUB, MUL, DIV;

        public float apply(float a, float b) {
            return switch (this) {
                case ADD -> a + b;
                case SUB -> a - b;
                case MUL -> a * b;
                case DIV -> a / b;
            };
        }

    }

    /**
     * The shape {@code a} and {@code b} broadcast to.
     *
     * @throws IllegalArgumentException naming both shapes and the axis where they clash
     */
    public static int[] shape(String what, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(what + " cannot broadcast " + Shapes.toString(a) + " with " + Shapes.toString(b)
                        + ": axis " + i + " of the result has sizes " + da + " and " + db + "; each must be equal or 1");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** The element of an operand of shape {@code in} that element {@code index} of the broadcast result {@code out} reads. */
    public static int source(int index, int[] out, int[] in) {
        int at = 0;
        int stride = 1;
        int rest = index;
        for (int i = out.length - 1, j = in.length - 1; i >= 0; i--, j--) {
            int position = rest % out[i];
            rest /= out[i];
            if (j >= 0) {
                at += (in[j] == 1 ? 0 : position) * stride;
                stride *= in[j];
            }
        }
        return at;
    }

    /**
     * For each axis of {@code out}, how far one step along it moves in {@code in} (stored row-major,
     * aligned at the last axis): 0 where {@code in} repeats.
     */
    static int[] strides(int[] in, int[] out) {
        int[] strides = new int[out.length];
        int step = 1;
        for (int i = out.length - 1, j = in.length - 1; i >= 0; i--, j--) {
            int size = j >= 0 ? in[j] : 1;
            strides[i] = size == 1 ? 0 : step;
            step *= size;
        }
        return strides;
    }

    /**
     * How the output of {@code a op b} splits into blocks: {@code inner} elements per block over its last
     * axes, on which each operand is contiguous ({@code aSteps}: true) or one repeated value; the axes before
     * walk blocks. Made once per shape: see {@link #layout}.
     */
    public record Layout(int[] aShape, int[] bShape, int[] outShape, int[] aStrides, int[] bStrides, int inner,
                         int innerAxes, boolean aSteps, boolean bSteps) {

        /** Whether it is the layout of operands of these shapes. */
        public boolean fits(int[] a, int[] b) {
            return Arrays.equals(a, aShape) && Arrays.equals(b, bShape);
        }

        public int size() {
            return Shapes.size(outShape);
        }

        /** Whether an axis with this stride keeps the block contiguous (true) or repeated (false), or ends it (null). */
        private static Boolean kind(int stride, int inner, Boolean sofar) {
            boolean contiguous = stride == inner;
            boolean repeated = stride == 0;
            if (sofar == null) {
                return contiguous ? Boolean.TRUE : repeated ? Boolean.FALSE : null;
            }
            return sofar && contiguous ? Boolean.TRUE : !sofar && repeated ? Boolean.FALSE : null;
        }

        /** The offset in an operand of block {@code block}'s first element. */
        int offset(int[] strides, int block) {
            int offset = 0;
            int rest = block;
            for (int i = outShape.length - 1 - innerAxes; i >= 0; i--) {
                offset += rest % outShape[i] * strides[i];
                rest /= outShape[i];
            }
            return offset;
        }
    }

    /** The blocks {@code a op b} is computed in, for operands of shapes {@code a} and {@code b}. */
    public static Layout layout(String what, int[] a, int[] b) {
        int[] out = shape(what, a, b);
        int[] sa = strides(a, out);
        int[] sb = strides(b, out);
        int inner = 1;
        int axes = 0;
        Boolean aSteps = null;
        Boolean bSteps = null;
        for (int i = out.length - 1; i >= 0; i--) {
            if (out[i] == 1) {
                axes++;
                continue;
            }
            Boolean aKind = Layout.kind(sa[i], inner, aSteps);
            Boolean bKind = Layout.kind(sb[i], inner, bSteps);
            if (aKind == null || bKind == null) {
                break;
            }
            aSteps = aKind;
            bSteps = bKind;
            inner *= out[i];
            axes++;
        }
        return new Layout(a.clone(), b.clone(), out, sa, sb, inner, axes, aSteps == null || aSteps, bSteps == null || bSteps);
    }

    /**
     * {@code y = a op b}, and {@code max(0, ·)} of it when {@code relu}, for the output elements {@code [from, to)};
     * {@code y} may be {@code a} or {@code b} where it has their shape. An operand repeated over a block is
     * first laid out along it in a row of scratch, so every block runs the same two-array loop.
     */
    public static void apply(Operator op, Layout layout, float[] a, float[] b, float[] y, boolean relu, int from, int to) {
        int inner = layout.inner();
        float[] row = layout.aSteps() && layout.bSteps() ? null : Workspace.floats(Workspace.Slot.PRODUCT, inner);
        for (int at = from; at < to; ) {
            int block = at / inner;
            int yo = block * inner;
            int first = at - yo;
            int end = Math.min(inner, to - yo);
            int ao = layout.offset(layout.aStrides(), block);
            int bo = layout.offset(layout.bStrides(), block);
            if (!layout.aSteps() && !layout.bSteps()) {
                float v = op.apply(a[ao], b[bo]);
                Arrays.fill(y, yo + first, yo + end, relu && v <= 0f ? 0f : v);
            } else {
                float[] x = a;
                float[] z = b;
                if (!layout.aSteps()) {
                    Arrays.fill(row, first, end, a[ao]);
                    x = row;
                    ao = 0;
                }
                if (!layout.bSteps()) {
                    Arrays.fill(row, first, end, b[bo]);
                    z = row;
                    bo = 0;
                }
                switch (op) {
                    case ADD -> add(x, ao, z, bo, y, yo, first, end, relu);
                    case SUB -> subtract(x, ao, z, bo, y, yo, first, end, relu);
                    case MUL -> multiply(x, ao, z, bo, y, yo, first, end, relu);
                    case DIV -> divide(x, ao, z, bo, y, yo, first, end, relu);
                }
            }
            at = yo + end;
        }
    }

    // One small method per operator, each a single loop: the compiler sees its operator as a constant and
    // inlines the whole vector pipeline (a method with all four loops grew past its inlining budget).

    /** {@code y[yo + i] = a[ao + i] + b[bo + i]} (then ReLU) for {@code i} in {@code [first, end)}. */
    private static void add(float[] a, int ao, float[] b, int bo, float[] y, int yo, int first, int end, boolean relu) {
        FloatVector zero = FloatVector.zero(SPECIES);
        int i = first;
        for (int bound = first + SPECIES.loopBound(end - first); i < bound; i += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, a, ao + i).add(FloatVector.fromArray(SPECIES, b, bo + i));
            (relu ? v.blend(zero, v.compare(VectorOperators.LE, 0f)) : v).intoArray(y, yo + i);
        }
        rest(Operator.ADD, a, ao, b, bo, y, yo, i, end, relu);
    }

    private static void subtract(float[] a, int ao, float[] b, int bo, float[] y, int yo, int first, int end, boolean relu) {
        FloatVector zero = FloatVector.zero(SPECIES);
        int i = first;
        for (int bound = first + SPECIES.loopBound(end - first); i < bound; i += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, a, ao + i).sub(FloatVector.fromArray(SPECIES, b, bo + i));
            (relu ? v.blend(zero, v.compare(VectorOperators.LE, 0f)) : v).intoArray(y, yo + i);
        }
        rest(Operator.SUB, a, ao, b, bo, y, yo, i, end, relu);
    }

    private static void multiply(float[] a, int ao, float[] b, int bo, float[] y, int yo, int first, int end, boolean relu) {
        FloatVector zero = FloatVector.zero(SPECIES);
        int i = first;
        for (int bound = first + SPECIES.loopBound(end - first); i < bound; i += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, a, ao + i).mul(FloatVector.fromArray(SPECIES, b, bo + i));
            (relu ? v.blend(zero, v.compare(VectorOperators.LE, 0f)) : v).intoArray(y, yo + i);
        }
        rest(Operator.MUL, a, ao, b, bo, y, yo, i, end, relu);
    }

    private static void divide(float[] a, int ao, float[] b, int bo, float[] y, int yo, int first, int end, boolean relu) {
        FloatVector zero = FloatVector.zero(SPECIES);
        int i = first;
        for (int bound = first + SPECIES.loopBound(end - first); i < bound; i += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, a, ao + i).div(FloatVector.fromArray(SPECIES, b, bo + i));
            (relu ? v.blend(zero, v.compare(VectorOperators.LE, 0f)) : v).intoArray(y, yo + i);
        }
        rest(Operator.DIV, a, ao, b, bo, y, yo, i, end, relu);
    }

    /** The loops' scalar tails: {@link Operator#apply}, as the reference computes it. */
    private static void rest(Operator op, float[] a, int ao, float[] b, int bo, float[] y, int yo, int from, int end,
                             boolean relu) {
        for (int i = from; i < end; i++) {
            float v = op.apply(a[ao + i], b[bo + i]);
            y[yo + i] = relu && v <= 0f ? 0f : v;
        }
    }

    /**
     * The gradients of {@code y = a op b} with respect to {@code a} and {@code b}, added into
     * {@code gradA} and {@code gradB} (either may be null: not wanted): each output's gradient goes to the
     * elements it was computed from, summed over the axes where an operand repeats.
     */
    public static void backward(Operator op, float[] a, int[] aShape, float[] b, int[] bShape, float[] gradY, int[] yShape,
                                float[] gradA, float[] gradB) {
        int[] sa = strides(aShape, yShape);
        int[] sb = strides(bShape, yShape);
        int[] index = new int[yShape.length];
        int ao = 0;
        int bo = 0;
        for (int i = 0, n = Shapes.size(yShape); i < n; i++) {
            float g = gradY[i];
            float x = a[ao];
            float z = b[bo];
            if (gradA != null) {
                gradA[ao] += switch (op) {
                    case ADD, SUB -> g;
                    case MUL -> g * z;
                    case DIV -> g / z;
                };
            }
            if (gradB != null) {
                gradB[bo] += switch (op) {
                    case ADD -> g;
                    case SUB -> -g;
                    case MUL -> g * x;
                    case DIV -> -g * x / (z * z);
                };
            }
            for (int axis = yShape.length - 1; axis >= 0; axis--) {
                ao += sa[axis];
                bo += sb[axis];
                if (++index[axis] < yShape[axis]) {
                    break;
                }
                ao -= sa[axis] * yShape[axis];
                bo -= sb[axis] * yShape[axis];
                index[axis] = 0;
            }
        }
    }
}
