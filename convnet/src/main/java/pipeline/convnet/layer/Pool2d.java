package pipeline.convnet.layer;

import pipeline.convnet.kernel.Parallelism;
import pipeline.convnet.kernel.Pooling;
import pipeline.convnet.tensor.Shapes;

/**
 * What the 2-d pooling layers share: a window over {@code [N, C, H, W]} sliding along the rows and the
 * columns ({@link Pooling.Slide}: kernel, stride, dilation, padding before and after, each axis its
 * own), output sizes rounded down or in ceil mode up, and plane-parallel loops over {@link Pooling}'s kernels.
 */
abstract sealed class Pool2d implements Layer permits MaxPool2d, AvgPool2d {

    protected final Pooling.Slide rows;
    protected final Pooling.Slide cols;
    protected final boolean ceil;
    protected int[] inputShape;
    private final String description;

    Pool2d(String kind, Pooling.Slide rows, Pooling.Slide cols, boolean ceil, String extra) {
        this.rows = rows;
        this.cols = cols;
        this.ceil = ceil;
        this.description = kind + "(kernel " + pair(rows.kernel(), cols.kernel()) + ", stride " + pair(rows.stride(), cols.stride())
                + (rows.padBefore() + rows.padAfter() + cols.padBefore() + cols.padAfter() > 0 ? ", padding " + padding() : "")
                + (rows.dilation() * cols.dilation() > 1 ? ", dilation " + pair(rows.dilation(), cols.dilation()) : "")
                + (ceil ? ", ceil" : "") + extra + ")";
    }

    /** How the window slides down the rows. */
    public Pooling.Slide rows() {
        return rows;
    }

    /** How the window slides along the columns. */
    public Pooling.Slide cols() {
        return cols;
    }

    /** Whether output sizes round up (windows may run off the end of the input). */
    public boolean ceil() {
        return ceil;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public int[] outputShape(int[] in) {
        Pooling.Window w = window(in);
        return new int[] {in[0], in[1], w.outH(), w.outW()};
    }

    /** The window over an input of shape {@code in}: {@code [N, C, H, W]}. */
    protected Pooling.Window window(int[] in) {
        Shapes.require(describe(), in, -1, -1, -1, -1);
        return new Pooling.Window(rows.over(describe(), in[2], ceil), cols.over(describe(), in[3], ceil));
    }

    /** Runs {@code body} over the {@code N·C} planes in parallel chunks. */
    protected static void forPlanes(int[] in, Pooling.Window w, Parallelism.Range body) {
        Parallelism.forRange(in[0] * in[1], Math.max(1, (1 << 14) / Math.max(1, w.inPlane())), body);
    }

    private static String pair(int h, int w) {
        return h == w ? Integer.toString(h) : h + "×" + w;
    }

    private String padding() {
        boolean symmetric = rows.padBefore() == rows.padAfter() && cols.padBefore() == cols.padAfter();
        return symmetric ? pair(rows.padBefore(), cols.padBefore())
                : "top " + rows.padBefore() + " left " + cols.padBefore() + " bottom " + rows.padAfter() + " right " + cols.padAfter();
    }
}
