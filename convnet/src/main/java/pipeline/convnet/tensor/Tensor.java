package pipeline.convnet.tensor;

import java.util.Arrays;

/**
 * A dense float32 tensor in row-major order (NCHW for images), backed by a {@code float[]}.
 * The array is shared, not copied, by {@link #reshape}; layers write into tensors they own.
 */
public final class Tensor {

    private final int[] shape;
    private final float[] data;

    public Tensor(float[] data, int... shape) {
        if (Shapes.size(shape) != data.length) {
            throw new IllegalArgumentException("shape " + Shapes.toString(shape) + " holds " + Shapes.size(shape)
                    + " values, but " + data.length + " were given");
        }
        this.shape = shape.clone();
        this.data = data;
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
        return data.length;
    }

    /** The backing array; writes are visible to every view of it. */
    public float[] data() {
        return data;
    }

    /** The same values under another shape with as many elements. */
    public Tensor reshape(int... newShape) {
        return new Tensor(data, newShape);
    }

    public Tensor copy() {
        return new Tensor(data.clone(), shape);
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
