package pipeline.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntUnaryOperator;
import pipeline.convnet.kernel.Broadcast;
import pipeline.convnet.tensor.Shapes;
import pipeline.onnx.proto.Onnx.TensorProto;

/**
 * What nodes compute on values known at import ({@link Known}): shape arithmetic and constant
 * expressions, folded so the engine graph never sees them. Integers that depend on the batch size
 * carry it through (sums and products by fixed numbers); anything else that would is refused.
 */
final class Folding {

    private Folding() {
    }

    /** {@code a op b} with broadcasting; integer division truncates, as ONNX's on integers. */
    static Known arithmetic(Broadcast.Operator op, Known a, Known b) {
        int[] shape = Broadcast.shape(op.name().toLowerCase(), a.shape(), b.shape());
        int n = Shapes.size(shape);
        double[] values = new double[n];
        long[] batch = a.anyBatchDependent() || b.anyBatchDependent() ? new long[n] : null;
        boolean integer = a.integer() && b.integer();
        for (int i = 0; i < n; i++) {
            int ia = Broadcast.source(i, shape, a.shape());
            int ib = Broadcast.source(i, shape, b.shape());
            double x = a.values()[ia];
            double z = b.values()[ib];
            long xa = a.batchOf(ia);
            long za = b.batchOf(ib);
            switch (op) {
                case ADD -> values[i] = x + z;
                case SUB -> values[i] = x - z;
                case MUL -> values[i] = x * z;
                case DIV -> values[i] = integer ? (long) x / (long) z : x / z;
            }
            if (batch != null) {
                batch[i] = switch (op) {
                    case ADD -> xa + za;
                    case SUB -> xa - za;
                    case MUL -> {
                        if (xa != 0 && za != 0) {
                            throw new IllegalArgumentException("a product of two sizes that both depend on the batch");
                        }
                        yield xa * (long) z + za * (long) x;
                    }
                    case DIV -> {
                        if (za != 0 || (xa != 0 && (xa % (long) z != 0 || (long) x % (long) z != 0))) {
                            throw new IllegalArgumentException("a division of a size that depends on the batch, which does not"
                                    + " divide exactly");
                        }
                        yield xa / (long) z;
                    }
                };
            }
        }
        return new Known(shape, values, batch, integer);
    }

    /** A new tensor of shape {@code shape} whose element i is element {@code source(i)} of {@code k}. */
    static Known pick(Known k, int[] shape, IntUnaryOperator source) {
        int n = Shapes.size(shape);
        double[] values = new double[n];
        long[] batch = k.batch() == null ? null : new long[n];
        for (int i = 0; i < n; i++) {
            int from = source.applyAsInt(i);
            values[i] = k.values()[from];
            if (batch != null) {
                batch[i] = k.batch()[from];
            }
        }
        return new Known(shape, values, batch, k.integer());
    }

    static Known reshape(Known k, int[] shape) {
        if (Shapes.size(shape) != k.size()) {
            throw new IllegalArgumentException("cannot reshape " + Shapes.toString(k.shape()) + " to " + Shapes.toString(shape));
        }
        return pick(k, shape, i -> i);
    }

    static Known concat(List<Known> parts, int axis) {
        int[] first = parts.getFirst().shape();
        int at = axis < 0 ? axis + first.length : axis;
        int[] shape = first.clone();
        shape[at] = parts.stream().mapToInt(p -> p.shape()[at]).sum();
        int outer = Shapes.size(Arrays.copyOf(first, at));
        List<Double> values = new ArrayList<>();
        List<Long> batch = new ArrayList<>();
        for (int o = 0; o < outer; o++) {
            for (Known p : parts) {
                int block = p.size() / Math.max(1, outer);
                for (int i = o * block; i < (o + 1) * block; i++) {
                    values.add(p.values()[i]);
                    batch.add(p.batchOf(i));
                }
            }
        }
        boolean anyBatch = parts.stream().anyMatch(Known::anyBatchDependent);
        return new Known(shape, values.stream().mapToDouble(Double::doubleValue).toArray(),
                anyBatch ? batch.stream().mapToLong(Long::longValue).toArray() : null, parts.stream().allMatch(Known::integer));
    }

    /** Elements {@code indices} along {@code axis} (negative indices count from the end). */
    static Known gather(Known k, Known indices, int axis) {
        int[] in = k.shape();
        int at = axis < 0 ? axis + in.length : axis;
        long[] picks = indices.asLongs("gather's indices");
        int[] shape = new int[in.length - 1 + indices.shape().length];
        System.arraycopy(in, 0, shape, 0, at);
        System.arraycopy(indices.shape(), 0, shape, at, indices.shape().length);
        System.arraycopy(in, at + 1, shape, at + indices.shape().length, in.length - at - 1);
        int inner = Shapes.size(Arrays.copyOfRange(in, at + 1, in.length));
        int count = picks.length;
        return pick(k, shape, i -> {
            int innerIndex = i % inner;
            int pickIndex = i / inner % Math.max(1, count);
            int outerIndex = i / inner / Math.max(1, count);
            long p = picks[pickIndex] < 0 ? picks[pickIndex] + in[at] : picks[pickIndex];
            if (p < 0 || p >= in[at]) {
                throw new IllegalArgumentException("gather index " + picks[pickIndex] + " outside axis " + at + " of size " + in[at]);
            }
            return (outerIndex * in[at] + (int) p) * inner + innerIndex;
        });
    }

    /** ONNX's Slice: per axis, elements {@code start, start + step, …} before {@code end}, both clamped. */
    static Known slice(Known k, long[] starts, long[] ends, long[] axes, long[] steps) {
        int[] in = k.shape();
        int[] first = new int[in.length];
        int[] step = new int[in.length];
        int[] shape = in.clone();
        Arrays.fill(step, 1);
        for (int j = 0; j < starts.length; j++) {
            int axis = (int) (axes == null ? j : axes[j] < 0 ? axes[j] + in.length : axes[j]);
            int[] range = pipeline.convnet.layer.Slice.range(in[axis], starts[j], ends[j], steps == null ? 1 : steps[j]);
            first[axis] = range[0];
            step[axis] = range[2];
            shape[axis] = range[1];
        }
        int[] strides = strides(in);
        return pick(k, shape, i -> {
            int source = 0;
            int rest = i;
            for (int axis = shape.length - 1; axis >= 0; axis--) {
                int position = rest % shape[axis];
                rest /= shape[axis];
                source += (first[axis] + position * step[axis]) * strides[axis];
            }
            return source;
        });
    }

    static int[] strides(int[] shape) {
        int[] strides = new int[shape.length];
        for (int i = shape.length - 1, stride = 1; i >= 0; stride *= shape[i], i--) {
            strides[i] = stride;
        }
        return strides;
    }

    /** ONNX's Cast: to an integer type truncates toward zero; to a half-precision type rounds to it; to float keeps the value. */
    static Known cast(Known k, TensorProto.DataType to) {
        double[] values = k.values().clone();
        boolean integer = switch (to) {
            case FLOAT, DOUBLE, FLOAT16, BFLOAT16 -> false;
            default -> true;
        };
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (to) {
                case FLOAT -> (float) values[i];
                case FLOAT16 -> Float.float16ToFloat(Float.floatToFloat16((float) values[i]));
                case BFLOAT16 -> bfloat16((float) values[i]);
                case BOOL -> values[i] != 0 ? 1 : 0;
                case DOUBLE -> values[i];
                default -> (long) values[i];
            };
        }
        return new Known(k.shape(), values, k.batch(), integer);
    }

    /** {@code v} rounded to bfloat16 (the top 16 bits of a float, rounded to nearest even), as a float. */
    private static float bfloat16(float v) {
        if (Float.isNaN(v)) {
            return v;
        }
        int bits = Float.floatToRawIntBits(v);
        int rounded = bits + 0x7fff + ((bits >> 16) & 1);
        return Float.intBitsToFloat(rounded & 0xffff0000);
    }

    static Known transpose(Known k, int[] perm) {
        int[] in = k.shape();
        int[] shape = new int[in.length];
        for (int i = 0; i < in.length; i++) {
            shape[i] = in[perm[i]];
        }
        int[] strides = strides(in);
        return pick(k, shape, i -> {
            int source = 0;
            int rest = i;
            for (int axis = shape.length - 1; axis >= 0; axis--) {
                source += rest % shape[axis] * strides[perm[axis]];
                rest /= shape[axis];
            }
            return source;
        });
    }
}
