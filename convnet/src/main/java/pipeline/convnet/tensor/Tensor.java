package pipeline.convnet.tensor;

import java.util.Arrays;

/**
 * A dense float32 tensor in row-major order (NCHW for images), backed by a {@code float[]}: its values
 * are the array's first {@link #size()} elements. The array is shared, not copied, by {@link #reshape};
 * layers write into tensors they own. A {@link #view} may sit at the start of a longer array, as the
 * activations of planned inference do (buffers reused across layers of several sizes).
 */
public final class Tensor {

    private final int[] shape;
    private final float[] data;
    private final int size;

    public Tensor(float[] data, int... shape) {
        this(data, shape, false);
    }

    private Tensor(float[] data, int[] shape, boolean view) {
        int size = Shapes.size(shape);
        if (view ? size > data.length : size != data.length) {
            throw new IllegalArgumentException("shape " + Shapes.toString(shape) + " holds " + size
                    + " values, but " + (view ? "the array holds only " : "") + data.length + " were given");
        }
        this.shape = shape.clone();
        this.data = data;
        this.size = size;
    }

    /** A tensor over the first {@code Π shape} elements of {@code data}, which may be longer. */
    public static Tensor view(float[] data, int... shape) {
        return new Tensor(data, shape, true);
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(new float[Shapes.size(shape)], shape);
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis];
    }

    public int size() {
        return size;
    }

    /** The backing array, {@link #size()} or more long; writes are visible to every view of it. */
    public float[] data() {
        return data;
    }

    /** The same values under another shape with as many elements. */
    public Tensor reshape(int... newShape) {
        if (Shapes.size(newShape) != size) {
            throw new IllegalArgumentException("cannot reshape " + shapeString() + " (" + size + " values) to "
                    + Shapes.toString(newShape) + " (" + Shapes.size(newShape) + " values)");
        }
        return new Tensor(data, newShape, true);
    }

    /** The values in an array of their own, exactly {@link #size()} long. */
    public Tensor copy() {
        return new Tensor(Arrays.copyOf(data, size), shape);
    }

    /** The value at one index (slow; for tests and inspection). */
    public float get(int... index) {
        return data[offset(index)];
    }

    public void set(float value, int... index) {
        data[offset(index)] = value;
    }

    public boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    public String shapeString() {
        return Shapes.toString(shape);
    }

    @Override
    public String toString() {
        return "Tensor" + shapeString();
    }

    private int offset(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + index.length + " for a tensor of shape " + shapeString());
        }
        int offset = 0;
        for (int i = 0; i < shape.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside shape " + shapeString());
            }
            offset = offset * shape[i] + index[i];
        }
        return offset;
    }
}
