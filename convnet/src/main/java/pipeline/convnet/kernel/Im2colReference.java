package pipeline.convnet.kernel;

/**
 * The plain, position-by-position {@link Im2col}: every column entry computed from its definition,
 * with a bounds check per element. Tests hold the bulk-copy version to it.
 */
public final class Im2colReference {

    private Im2colReference() {
    }

    /** {@code columns[C·KH·KW, OH·OW]}, rows {@code ldCols} apart from {@code colOff}, of {@code image[C, H, W]}. */
    public static void im2col(Im2col.Window w, float[] image, int imageOff, float[] columns, int colOff, int ldCols) {
        for (int row = 0; row < w.rows(); row++) {
            int c = row / (w.kernelH() * w.kernelW());
            int kh = row / w.kernelW() % w.kernelH();
            int kw = row % w.kernelW();
            for (int oh = 0; oh < w.outH(); oh++) {
                for (int ow = 0; ow < w.outW(); ow++) {
                    int ih = oh * w.strideH() - w.padH() + kh * w.dilationH();
                    int iw = ow * w.strideW() - w.padW() + kw * w.dilationW();
                    boolean inside = ih >= 0 && ih < w.height() && iw >= 0 && iw < w.width();
                    columns[colOff + row * ldCols + oh * w.outW() + ow] = inside
                            ? image[imageOff + (c * w.height() + ih) * w.width() + iw] : 0f;
                }
            }
        }
    }
}
