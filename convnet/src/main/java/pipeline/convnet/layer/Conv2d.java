package pipeline.convnet.layer;

import java.util.Arrays;
import java.util.List;
import pipeline.convnet.kernel.DotProducts;
import pipeline.convnet.kernel.Elementwise;
import pipeline.convnet.kernel.Gemm;
import pipeline.convnet.kernel.Im2col;
import pipeline.convnet.kernel.Parallelism;
import pipeline.convnet.kernel.Workspace;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * 2-d convolution (cross-correlation, as in every framework) with stride, zero padding, dilation
 * and groups; {@code groups == inChannels == outChannels} is a depthwise convolution.
 *
 * <pre>
 * input  [N, C, H, W]
 * weight [OC, C/G, KH, KW]      bias [OC]
 * output [N, OC, OH, OW]        OH = ⌊(H + 2·PH − DH·(KH−1) − 1) / SH⌋ + 1
 * </pre>
 * The whole batch is one matrix product per group: the images' im2col columns sit side by side,
 * {@code cols_g[C/G·KH·KW, N·OH·OW]}, and {@code out_g[OC/G, N·OH·OW] = W_g[OC/G, C/G·KH·KW] × cols_g},
 * rearranged to {@code [N, OC, OH, OW]}. Backward: {@code dW_g += dOut_g × cols_g^T} and
 * {@code dx = col2im(W_g^T × dOut_g)}, again over the whole batch. One product over the batch keeps
 * the GEMM's tiles large enough to share between threads, where per-image products are too small.
 *
 * <p>Scratch buffers come from the calling thread's {@link Workspace}, so after the first batches
 * inference allocates only its output. Training keeps its own columns for the backward pass.
 */
public final class Conv2d implements Layer {

    private final int inChannels;
    private final int outChannels;
    private final int kernelH;
    private final int kernelW;
    private final int strideH;
    private final int strideW;
    private final int padH;
    private final int padW;
    private final int dilationH;
    private final int dilationW;
    private final int groups;
    private final Parameter weight;
    private final Parameter bias;
    /** ReLU applied as the output is written: set only on networks fused for inference. */
    private final boolean fusedRelu;
    /** Column floats lowered and multiplied per step of the forward pass: about half of L2. */
    private static final int CHUNK_FLOATS = 1 << 17;

    private Tensor input;
    private volatile TapOffsets tapOffsets;
    /** im2col of {@link #columnsOf}, kept from a training forward pass for backward. */
    private float[] columns;
    private Tensor columnsOf;

    public Conv2d(int inChannels, int outChannels, int kernelH, int kernelW, int strideH, int strideW,
                  int padH, int padW, int dilationH, int dilationW, int groups, boolean withBias) {
        this(inChannels, outChannels, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, groups,
                withBias, false);
    }

    private Conv2d(int inChannels, int outChannels, int kernelH, int kernelW, int strideH, int strideW,
                   int padH, int padW, int dilationH, int dilationW, int groups, boolean withBias, boolean fusedRelu) {
        if (inChannels < 1 || outChannels < 1 || groups < 1 || inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("conv2d: in channels " + inChannels + " and out channels " + outChannels
                    + " must both be positive multiples of groups " + groups);
        }
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("conv2d: kernel, stride and dilation must be 1 or more and padding 0 or more; got kernel "
                    + kernelH + "×" + kernelW + ", stride " + strideH + "×" + strideW + ", padding " + padH + "×" + padW
                    + ", dilation " + dilationH + "×" + dilationW);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.strideH = strideH;
        this.strideW = strideW;
        this.padH = padH;
        this.padW = padW;
        this.dilationH = dilationH;
        this.dilationW = dilationW;
        this.groups = groups;
        this.fusedRelu = fusedRelu;
        this.weight = Parameter.of("weight", Tensor.zeros(outChannels, inChannels / groups, kernelH, kernelW), true);
        this.bias = withBias ? Parameter.of("bias", Tensor.zeros(outChannels), false) : null;
    }

    /** A square kernel with equal stride, padding and dilation on both axes. */
    public static Conv2d square(int inChannels, int outChannels, int kernel, int stride, int pad, int dilation,
                                int groups, boolean withBias) {
        return new Conv2d(inChannels, outChannels, kernel, kernel, stride, stride, pad, pad, dilation, dilation, groups, withBias);
    }

    /**
     * The same convolution followed by {@code bn} in inference, as one convolution with a bias:
     * {@code W'[oc] = W[oc]·s}, {@code b'[oc] = (b[oc] − μ)·s + β} with {@code s = γ/√(σ² + ε)} (running statistics).
     */
    public Conv2d foldedWith(BatchNorm2d bn) {
        Conv2d folded = copy(true, fusedRelu);
        int perChannel = weight.value().size() / outChannels;
        for (int oc = 0; oc < outChannels; oc++) {
            double scale = bn.gamma().value().data()[oc] / Math.sqrt(bn.runningVar()[oc] + (double) bn.eps());
            for (int i = oc * perChannel; i < (oc + 1) * perChannel; i++) {
                folded.weight.value().data()[i] = (float) (weight.value().data()[i] * scale);
            }
            double b = bias == null ? 0 : bias.value().data()[oc];
            folded.bias.value().data()[oc] = (float) ((b - bn.runningMean()[oc]) * scale + bn.beta().value().data()[oc]);
        }
        return folded;
    }

    /** The same convolution with a ReLU applied as its output is written (inference only: it has no backward). */
    public Conv2d withFusedRelu() {
        Conv2d fused = copy(bias != null, true);
        System.arraycopy(weight.value().data(), 0, fused.weight.value().data(), 0, weight.value().size());
        if (bias != null) {
            System.arraycopy(bias.value().data(), 0, fused.bias.value().data(), 0, bias.value().size());
        }
        return fused;
    }

    private Conv2d copy(boolean withBias, boolean relu) {
        return new Conv2d(inChannels, outChannels, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW,
                groups, withBias, relu);
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or {@code null} when the layer has none. */
    public Parameter bias() {
        return bias;
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    @Override
    public String describe() {
        return "conv2d(" + inChannels + "→" + outChannels + ", kernel " + kernelH + "×" + kernelW + ", stride " + strideH
                + "×" + strideW + ", padding " + padH + "×" + padW + ", dilation " + dilationH + "×" + dilationW
                + (groups > 1 ? ", groups " + groups : "") + (bias == null ? ", no bias" : "") + (fusedRelu ? ", fused relu" : "")
                + ")";
    }

    @Override
    public int[] outputShape(int[] in) {
        Shapes.require(describe(), in, -1, inChannels, -1, -1);
        Im2col.Window w = window(in[2], in[3]);
        return new int[] {in[0], outChannels, w.outH(), w.outW()};
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Shapes.require(describe(), x, -1, inChannels, -1, -1);
        this.input = x;
        Geometry geo = geometry(x);
        float[] wData = weight.value().data();
        int np = geo.batchCols();
        // A few images at a time, so the GEMM reads their columns while they are still in cache.
        int chunk = Math.min(geo.n(), Math.max(1, CHUNK_FLOATS / Math.max(1, geo.rows() * geo.plane())));
        boolean keep = mode == Mode.TRAIN;
        if (!keep && strideH == 1 && strideW == 1) {
            return forwardInPlace(x, geo);
        }
        // Training keeps every image's columns for backward, in one array the chunks share (each
        // writes its own columns); inference lowers a chunk at a time into its thread's workspace.
        float[] kept = keep ? trainingColumns(geo.columnsSize()) : null;
        float[] b = bias == null ? null : bias.value().data();
        Tensor out = Tensor.zeros(geo.n(), outChannels, geo.window().outH(), geo.window().outW());
        int chunks = (geo.n() + chunk - 1) / chunk;
        // One parallel region for the layer, a chunk of images per task: lowering, product and scatter
        // of a chunk run on one thread, back to back, while its columns are in that core's cache.
        // With a single chunk (a small batch) the region runs inline and the steps share the threads.
        Parallelism.forRange(chunks, 1, (fromChunk, toChunk) -> {
            float[] cols = keep ? kept : Workspace.floats(Workspace.Slot.COLUMNS, groups * geo.rows() * chunk * geo.plane());
            float[] product = Workspace.floats(Workspace.Slot.PRODUCT, outChannels * chunk * geo.plane());
            for (int c = fromChunk; c < toChunk; c++) {
                int first = c * chunk;
                int last = Math.min(geo.n(), first + chunk);
                int width = (last - first) * geo.plane();
                int ld = keep ? np : width;
                int cols0 = keep ? first * geo.plane() : 0;
                lowerBatch(geo, x.data(), first, last, cols, cols0, ld);
                // product[OC, chunk·P] = W_g × cols_g, group by group
                for (int g = 0; g < groups; g++) {
                    Gemm.gemm(false, false, geo.ocg(), width, geo.rows(), 1f,
                            wData, g * geo.ocg() * geo.rows(), geo.rows(), cols, g * geo.rows() * ld + cols0, ld,
                            0f, product, g * geo.ocg() * width, width);
                }
                scatter(geo, product, first, last, b, out.data());
            }
        });
        if (keep) {
            columnsOf = x;
        }
        return out;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        if (fusedRelu) {
            throw new IllegalStateException(describe() + " is fused for inference and has no backward pass;"
                    + " train, or take gradients of, the network as declared");
        }
        Tensor x = input;
        Geometry geo = geometry(x);
        Shapes.require(describe() + " backward", gradOut, geo.n(), outChannels, geo.window().outH(), geo.window().outW());
        if (columnsOf != x) {
            lowerBatch(geo, x.data(), 0, geo.n(), trainingColumns(geo.columnsSize()), 0, geo.batchCols());
            columnsOf = x;
        }
        int np = geo.batchCols();
        int p = geo.plane();
        // gradT[OC, N·P]: the output gradient in the product's layout
        float[] gradT = Workspace.floats(Workspace.Slot.PRODUCT, outChannels * np);
        float[] g0 = gradOut.data();
        Parallelism.forRange(geo.n(), grain(outChannels * p), (from, to) -> {
            for (int i = from; i < to; i++) {
                for (int oc = 0; oc < outChannels; oc++) {
                    System.arraycopy(g0, (i * outChannels + oc) * p, gradT, oc * np + i * p, p);
                }
            }
        });
        if (bias != null) {
            float[] bGrad = bias.grad().data();
            for (int oc = 0; oc < outChannels; oc++) {
                double sum = 0;
                for (int j = oc * np, end = j + np; j < end; j++) {
                    sum += gradT[j];
                }
                bGrad[oc] += (float) sum;
            }
        }
        float[] gradCols = Workspace.floats(Workspace.Slot.COLUMN_GRADIENT, geo.columnsSize());
        float[] wData = weight.value().data();
        float[] wGrad = weight.grad().data();
        for (int g = 0; g < groups; g++) {
            int gradOff = g * geo.ocg() * np;
            int colOff = g * geo.rows() * np;
            int wOff = g * geo.ocg() * geo.rows();
            // dW_g[OC/G, C/G·KH·KW] += gradT_g × cols_g^T: dot products of rows, both contiguous along N·P
            DotProducts.accumulate(geo.ocg(), geo.rows(), np, gradT, gradOff, np, columns, colOff, np, wGrad, wOff, geo.rows());
            // dCols_g[C/G·KH·KW, N·P] = W_g^T × gradT_g
            Gemm.gemm(true, false, geo.rows(), np, geo.ocg(), 1f, wData, wOff, geo.rows(),
                    gradT, gradOff, np, 0f, gradCols, colOff, np);
        }
        Tensor gradIn = Tensor.zeros(x.shape());
        int cg = inChannels / groups;
        Parallelism.forRange(geo.n() * groups, grain(geo.rows() * p), (from, to) -> {
            for (int t = from; t < to; t++) {
                int i = t / groups;
                int g = t % groups;
                Im2col.col2im(geo.window(), gradCols, g * geo.rows() * np + i * p, np,
                        gradIn.data(), (i * inChannels + g * cg) * geo.inPlane());
            }
        });
        return gradIn;
    }

    /**
     * Inference with stride 1, without the column matrix. On the image padded to {@code [C, Hp, Wp]},
     * output {@code (oh, ow)} at "wide" position {@code q = oh·Wp + ow} reads tap {@code (c, kh, kw)} at
     * {@code c·Hp·Wp + kh·DH·Wp + kw·DW + q}: row {@code (c, kh, kw)} of the column matrix is the padded
     * image from a fixed offset on, so {@link Gemm#gemmRows} reads it in place. The product is
     * {@code [OC, OH·Wp]}; the {@code Wp − OW} columns past each output row read across the row's end
     * and are dropped by the scatter. The sums are the im2col path's, term for term: a test holds them equal.
     */
    private Tensor forwardInPlace(Tensor x, Geometry geo) {
        Im2col.Window w = geo.window();
        int hp = w.height() + 2 * padH;
        int wp = w.width() + 2 * padW;
        int cg = inChannels / groups;
        int[] rows = tapOffsets(hp, wp);
        int wide = w.outH() * wp;
        float[] wData = weight.value().data();
        float[] b = bias == null ? null : bias.value().data();
        Tensor out = Tensor.zeros(geo.n(), outChannels, w.outH(), w.outW());
        // A kernel one column wide without padding reads the input itself; a wider one reads past the
        // last row's end (the dropped columns), so its padded copy has that much room after the last channel.
        boolean unpadded = padH == 0 && padW == 0 && kernelW == 1;
        int overhang = (kernelW - 1) * dilationW;
        Parallelism.forRange(geo.n(), 1, (from, to) -> {
            float[] padded = unpadded ? null : Workspace.floats(Workspace.Slot.PADDED, inChannels * hp * wp + overhang);
            float[] product = Workspace.floats(Workspace.Slot.PRODUCT, outChannels * wide);
            for (int i = from; i < to; i++) {
                float[] source = unpadded ? x.data() : padded;
                int base = unpadded ? i * inChannels * w.height() * w.width() : 0;
                if (!unpadded) {
                    pad(x.data(), i, w, padded, hp, wp);
                }
                for (int g = 0; g < groups; g++) {
                    Gemm.gemmRows(geo.ocg(), wide, geo.rows(), wData, g * geo.ocg() * geo.rows(), geo.rows(),
                            source, base + g * cg * hp * wp, rows, product, g * geo.ocg() * wide, wide);
                }
                scatterWide(w, product, wp, i, b, out.data());
            }
        });
        return out;
    }

    /** Where row {@code (c, kh, kw)} of one group's column matrix starts in a padded {@code [C/G, Hp, Wp]} image. */
    private int[] tapOffsets(int hp, int wp) {
        TapOffsets cached = tapOffsets;
        if (cached != null && cached.hp() == hp && cached.wp() == wp) {
            return cached.rows();
        }
        int[] rows = new int[inChannels / groups * kernelH * kernelW];
        for (int c = 0, r = 0; c < inChannels / groups; c++) {
            for (int kh = 0; kh < kernelH; kh++) {
                for (int kw = 0; kw < kernelW; kw++) {
                    rows[r++] = c * hp * wp + kh * dilationH * wp + kw * dilationW;
                }
            }
        }
        tapOffsets = new TapOffsets(hp, wp, rows);
        return rows;
    }

    /** The tap offsets for one padded image size, kept while the size does not change. */
    private record TapOffsets(int hp, int wp, int[] rows) {
    }

    /** Image {@code i} of {@code x[N, C, H, W]} into {@code padded[C, Hp, Wp]}, zeros around it. */
    private void pad(float[] x, int i, Im2col.Window w, float[] padded, int hp, int wp) {
        int h = w.height();
        int width = w.width();
        for (int c = 0; c < inChannels; c++) {
            int src = (i * inChannels + c) * h * width;
            int dst = c * hp * wp;
            Arrays.fill(padded, dst, dst + padH * wp + padW, 0f);
            for (int y = 0; y < h; y++) {
                int row = dst + (padH + y) * wp + padW;
                System.arraycopy(x, src + y * width, padded, row, width);
                Arrays.fill(padded, row + width, Math.min(row + width + 2 * padW, dst + hp * wp), 0f);
            }
            Arrays.fill(padded, dst + (padH + h) * wp + padW, dst + hp * wp, 0f);
        }
    }

    /** Image {@code i} of {@code out[N, OC, OH, OW]} from the wide product {@code [OC, OH·Wp]}, plus the bias, then the fused ReLU. */
    private void scatterWide(Im2col.Window w, float[] product, int wp, int i, float[] b, float[] out) {
        int plane = w.outH() * w.outW();
        for (int oc = 0; oc < outChannels; oc++) {
            int dst = (i * outChannels + oc) * plane;
            for (int oh = 0; oh < w.outH(); oh++) {
                System.arraycopy(product, (oc * w.outH() + oh) * wp, out, dst + oh * w.outW(), w.outW());
            }
            finish(out, dst, plane, b, oc);
        }
    }

    /** The bias of channel {@code oc}, then the fused ReLU if any, on its output plane {@code out[dst, dst + plane)}. */
    private void finish(float[] out, int dst, int plane, float[] b, int oc) {
        if (b != null) {
            float shift = b[oc];
            for (int j = dst; j < dst + plane; j++) {
                out[j] += shift;
            }
        }
        if (fusedRelu) {
            Elementwise.relu(out, out, dst, dst + plane);
        }
    }

    /**
     * im2col of images {@code [first, last)} into {@code cols[G][C/G·KH·KW, ld]}: image i's columns start
     * at {@code cols0 + (i − first)·P} of each row.
     */
    private void lowerBatch(Geometry geo, float[] x, int first, int last, float[] cols, int cols0, int ld) {
        int cg = inChannels / groups;
        Parallelism.forRange((last - first) * groups, grain(geo.rows() * geo.plane()), (from, to) -> {
            for (int t = from; t < to; t++) {
                int i = first + t / groups;
                int g = t % groups;
                Im2col.im2col(geo.window(), x, (i * inChannels + g * cg) * geo.inPlane(),
                        cols, g * geo.rows() * ld + cols0 + (i - first) * geo.plane(), ld);
            }
        });
    }

    /**
     * Images {@code [first, last)} of {@code out[N, OC, P]} from {@code product[OC, (last−first)·P]}, plus
     * the bias, then the fused ReLU if any.
     */
    private void scatter(Geometry geo, float[] product, int first, int last, float[] b, float[] out) {
        int p = geo.plane();
        int width = (last - first) * p;
        Parallelism.forRange(last - first, grain(outChannels * p), (from, to) -> {
            for (int i = first + from; i < first + to; i++) {
                for (int oc = 0; oc < outChannels; oc++) {
                    int dst = (i * outChannels + oc) * p;
                    System.arraycopy(product, oc * width + (i - first) * p, out, dst, p);
                    finish(out, dst, p, b, oc);
                }
            }
        });
    }

    /** The columns kept from a training forward pass for the backward pass; grown, never shrunk. */
    private float[] trainingColumns(int size) {
        if (columns == null || columns.length < size) {
            columns = new float[size];
        }
        return columns;
    }

    /** Items per parallel chunk for loops doing {@code work} element moves per item. */
    private static int grain(int work) {
        return Math.max(1, (1 << 15) / Math.max(1, work));
    }

    @Override
    public List<Parameter> parameters() {
        return Parameter.present(weight, bias);
    }

    /** Fan-in of one output unit, for initialisation: {@code C/G · KH · KW}. */
    public int fanIn() {
        return inChannels / groups * kernelH * kernelW;
    }

    /** Fan-out of one input unit: {@code OC/G · KH · KW}. */
    public int fanOut() {
        return outChannels / groups * kernelH * kernelW;
    }

    private Geometry geometry(Tensor x) {
        return new Geometry(x.dim(0), window(x.dim(2), x.dim(3)), groups, outChannels / groups);
    }

    /**
     * A batch's sizes: {@code rows = C/G·KH·KW} per group, {@code plane = OH·OW} per image,
     * {@code batchCols = N·OH·OW}.
     */
    private record Geometry(int n, Im2col.Window window, int groups, int ocg) {
        int rows() {
            return window.rows();
        }

        int plane() {
            return window.cols();
        }

        int inPlane() {
            return window.height() * window.width();
        }

        int batchCols() {
            return n * plane();
        }

        int columnsSize() {
            return groups * rows() * batchCols();
        }
    }

    private Im2col.Window window(int h, int w) {
        int oh = Shapes.convOutput(describe(), h, kernelH, strideH, padH, dilationH);
        int ow = Shapes.convOutput(describe(), w, kernelW, strideW, padW, dilationW);
        return new Im2col.Window(inChannels / groups, h, w, kernelH, kernelW, strideH, strideW, padH, padW,
                dilationH, dilationW, oh, ow);
    }
}
