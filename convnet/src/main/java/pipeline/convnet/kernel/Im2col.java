package pipeline.convnet.kernel;


/**
 * Convolution as a matrix product: {@link #im2col} lays every receptive field of one image out as a
 * column, so a convolution becomes {@code weights[OC, C·KH·KW] × columns[C·KH·KW, OH·OW]};
 * {@link #col2im} is its adjoint, summing columns back into image positions (the input gradient).
 *
 * <p>Row {@code (c·KH + kh)·KW + kw} of the column matrix holds input pixel
 * {@code (c, oh·SH − PH + kh·DH, ow·SW − PW + kw·DW)} for every output position {@code (oh, ow)};
 * positions in the padding read as zero. These loops are data movement with no arithmetic to
 * vectorise (a row's positions inside the image are one bulk copy when the stride is 1); they are
 * their own scalar reference, and a test holds col2im to being im2col's exact adjoint.
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

        /**
         * Stride 1 and output rows as wide as input rows ("same" padding): every output row reads an
         * input row at the same offset, so a kernel tap's column row is the image shifted.
         */
        boolean keepsRows() {
            return strideH == 1 && strideW == 1 && outW == width;
        }

        /** Columns of the column matrix: {@code OH·OW}. */
        public int cols() {
            return outH * outW;
        }
    }

    /**
     * {@code image[C, H, W]} at {@code imageOff} → {@code columns[C·KH·KW, OH·OW]} at {@code colOff},
     * rows {@code ldCols} apart (a batch lays its images' columns side by side, {@code ldCols = N·OH·OW}).
     */
    public static void im2col(Window w, float[] image, int imageOff, float[] columns, int colOff, int ldCols) {
        for (int c = 0; c < w.channels(); c++) {
            int plane = imageOff + c * w.height() * w.width();
            for (int kh = 0; kh < w.kernelH(); kh++) {
                for (int kw = 0; kw < w.kernelW(); kw++) {
                    int out = colOff + ((c * w.kernelH() + kh) * w.kernelW() + kw) * ldCols;
                    int first = firstInside(w, kw);
                    int end = endInside(w, kw);
                    if (w.keepsRows()) {
                        shiftPlane(w, image, plane, kh, kw, first, end, columns, out);
                        continue;
                    }
                    for (int oh = 0; oh < w.outH(); oh++, out += w.outW()) {
                        int ih = oh * w.strideH() - w.padH() + kh * w.dilationH();
                        if (ih < 0 || ih >= w.height() || first >= end) {
                            zero(columns, out, out + w.outW());
                            continue;
                        }
                        int row = plane + ih * w.width() + kw * w.dilationW() - w.padW();
                        for (int ow = 0; ow < first; ow++) {
                            columns[out + ow] = 0f;
                        }
                        if (w.strideW() == 1) {
                            System.arraycopy(image, row + first, columns, out + first, end - first);
                        } else {
                            for (int ow = first; ow < end; ow++) {
                                columns[out + ow] = image[row + ow * w.strideW()];
                            }
                        }
                        for (int ow = end; ow < w.outW(); ow++) {
                            columns[out + ow] = 0f;
                        }
                    }
                }
            }
        }
    }

    /** Adds {@code columns[C·KH·KW, OH·OW]} (at {@code colOff}, rows {@code ldCols} apart) back into {@code image[C, H, W]}. */
    public static void col2im(Window w, float[] columns, int colOff, int ldCols, float[] image, int imageOff) {
        for (int c = 0; c < w.channels(); c++) {
            int plane = imageOff + c * w.height() * w.width();
            for (int kh = 0; kh < w.kernelH(); kh++) {
                for (int kw = 0; kw < w.kernelW(); kw++) {
                    int in = colOff + ((c * w.kernelH() + kh) * w.kernelW() + kw) * ldCols;
                    int first = firstInside(w, kw);
                    int end = endInside(w, kw);
                    for (int oh = 0; oh < w.outH(); oh++, in += w.outW()) {
                        int ih = oh * w.strideH() - w.padH() + kh * w.dilationH();
                        if (ih < 0 || ih >= w.height()) {
                            continue;
                        }
                        int row = plane + ih * w.width() + kw * w.dilationW() - w.padW();
                        if (w.strideW() == 1) {
                            addRow(columns, in, image, row, first, end);
                        } else {
                            for (int ow = first; ow < end; ow++) {
                                image[row + ow * w.strideW()] += columns[in + ow];
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * One kernel tap of a {@link Window#keepsRows()} window: its column row is the image plane shifted
     * by a constant offset, so it is one bulk copy, then the rows above or below the image and the
     * columns that wrapped around a row's end are set to zero.
     */
    private static void shiftPlane(Window w, float[] image, int plane, int kh, int kw, int first, int end,
                                   float[] columns, int out) {
        int width = w.width();
        int rowShift = kh * w.dilationH() - w.padH();
        int shift = rowShift * width + kw * w.dilationW() - w.padW();
        int rowFirst = Math.min(w.outH(), Math.max(0, -rowShift));
        int rowEnd = Math.max(rowFirst, Math.min(w.outH(), w.height() - rowShift));
        zero(columns, out, out + rowFirst * width);
        zero(columns, out + rowEnd * width, out + w.outH() * width);
        int from = Math.max(rowFirst * width, -shift);
        int to = Math.min(rowEnd * width, w.height() * width - shift);
        if (from < to) {
            System.arraycopy(image, plane + from + shift, columns, out + from, to - from);
        }
        int left = Math.min(first, width);
        int right = Math.max(end, first);
        for (int row = out + rowFirst * width, last = out + rowEnd * width; row < last; row += width) {
            for (int ow = 0; ow < left; ow++) {
                columns[row + ow] = 0f;
            }
            for (int ow = right; ow < width; ow++) {
                columns[row + ow] = 0f;
            }
        }
    }

    /** {@code image[row + ow] += columns[in + ow]} for ow in [first, end): unit strides, which C2 vectorises. */
    private static void addRow(float[] columns, int in, float[] image, int row, int first, int end) {
        for (int ow = first; ow < end; ow++) {
            image[row + ow] += columns[in + ow];
        }
    }

    /** A plain loop: these runs are short (the padding), where {@code Arrays.fill}'s set-up dominates. */
    private static void zero(float[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            a[i] = 0f;
        }
    }

    /** First output column whose input column {@code ow·SW − PW + kw·DW} is inside the image. */
    private static int firstInside(Window w, int kw) {
        int shift = w.padW() - kw * w.dilationW();
        return shift <= 0 ? 0 : Math.min(w.outW(), (shift + w.strideW() - 1) / w.strideW());
    }

    /** One past the last output column whose input column is inside the image. */
    private static int endInside(Window w, int kw) {
        int limit = w.width() + w.padW() - kw * w.dilationW();
        return limit <= 0 ? 0 : Math.min(w.outW(), (limit + w.strideW() - 1) / w.strideW());
    }
}
