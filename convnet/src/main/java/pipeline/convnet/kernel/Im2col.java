package pipeline.convnet.kernel;

/**
 * Convolution as a matrix product: {@link #im2col} lays every receptive field of one image out as a
 * column, so a convolution becomes {@code weights[OC, C·KH·KW] × columns[C·KH·KW, OH·OW]};
 * {@link #col2im} is its adjoint, summing columns back into image positions (the input gradient).
 *
 * <p>Row {@code (c·KH + kh)·KW + kw} of the column matrix holds input pixel
 * {@code (c, oh·SH − PH + kh·DH, ow·SW − PW + kw·DW)} for every output position {@code (oh, ow)};
 * positions in the padding read as zero. These loops are data movement with no arithmetic to
 * vectorise; they are their own scalar reference.
 */
public final class Im2col {

    private Im2col() {
    }

    /** Geometry of one 2-d convolution or pooling window over a {@code [C, H, W]} image. */
    public record Window(int channels, int height, int width, int kernelH, int kernelW, int strideH, int strideW,
                         int padH, int padW, int dilationH, int dilationW, int outH, int outW) {

        /** Rows of the column matrix: {@code C·KH·KW}. */
        public int rows() {
            return channels * kernelH * kernelW;
        }

        /** Columns of the column matrix: {@code OH·OW}. */
        public int cols() {
            return outH * outW;
        }
    }

    /** {@code image[C, H, W]} at {@code imageOff} → {@code columns[C·KH·KW, OH·OW]}. */
    public static void im2col(Window w, float[] image, int imageOff, float[] columns) {
        int cols = w.cols();
        for (int c = 0; c < w.channels(); c++) {
            int plane = imageOff + c * w.height() * w.width();
            for (int kh = 0; kh < w.kernelH(); kh++) {
                for (int kw = 0; kw < w.kernelW(); kw++) {
                    int out = ((c * w.kernelH() + kh) * w.kernelW() + kw) * cols;
                    for (int oh = 0; oh < w.outH(); oh++) {
                        int ih = oh * w.strideH() - w.padH() + kh * w.dilationH();
                        boolean rowInside = ih >= 0 && ih < w.height();
                        for (int ow = 0; ow < w.outW(); ow++) {
                            int iw = ow * w.strideW() - w.padW() + kw * w.dilationW();
                            columns[out++] = rowInside && iw >= 0 && iw < w.width()
                                    ? image[plane + ih * w.width() + iw] : 0f;
                        }
                    }
                }
            }
        }
    }

    /** Adds {@code columns[C·KH·KW, OH·OW]} back into {@code image[C, H, W]} at {@code imageOff}. */
    public static void col2im(Window w, float[] columns, float[] image, int imageOff) {
        int cols = w.cols();
        for (int c = 0; c < w.channels(); c++) {
            int plane = imageOff + c * w.height() * w.width();
            for (int kh = 0; kh < w.kernelH(); kh++) {
                for (int kw = 0; kw < w.kernelW(); kw++) {
                    int in = ((c * w.kernelH() + kh) * w.kernelW() + kw) * cols;
                    for (int oh = 0; oh < w.outH(); oh++) {
                        int ih = oh * w.strideH() - w.padH() + kh * w.dilationH();
                        if (ih < 0 || ih >= w.height()) {
                            in += w.outW();
                            continue;
                        }
                        for (int ow = 0; ow < w.outW(); ow++, in++) {
                            int iw = ow * w.strideW() - w.padW() + kw * w.dilationW();
                            if (iw >= 0 && iw < w.width()) {
                                image[plane + ih * w.width() + iw] += columns[in];
                            }
                        }
                    }
                }
            }
        }
    }
}
