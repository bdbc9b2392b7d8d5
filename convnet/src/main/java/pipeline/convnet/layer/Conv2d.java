package pipeline.convnet.layer;

import java.util.Arrays;
import java.util.List;
import pipeline.convnet.kernel.DotProducts;
import pipeline.convnet.kernel.Elementwise;
import pipeline.convnet.kernel.Gemm;
import pipeline.convnet.kernel.Im2col;
import pipeline.convnet.kernel.Parallelism;
import pipeline.convnet.kernel.Winograd;
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
 * <p>A depthwise convolution runs on a kernel of its own ({@link DepthwiseConvolution}). Stride-1
 * convolutions skip the column matrix: inference and training multiply rows of the
 * padded image read in place ({@link #forwardInPlace}), and training's backward pass takes the weight
 * gradient as dot products over those rows and the input gradient as a convolution with the flipped
 * weights ({@link #backwardInPlace}).
 *
 * <p>Scratch buffers come from the calling thread's {@link Workspace}, so after the first batches
 * inference allocates only its output, and {@link #infer} not even that. Training keeps its own columns (or padded images) for the backward pass.
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
    /**
     * The cap of a ReLU applied as the output is written (+∞ for ReLU, 6 for ReLU6), or 0 for none:
     * set only on networks fused for inference.
     */
    private final float fusedCap;
    /** Column floats lowered and multiplied per step of the forward pass: about half of L2. */
    private static final int CHUNK_FLOATS = 1 << 17;
    /** Fewest input channels for which {@link #forServing} takes Winograd's path (docs/benchmarks.md). */
    private static final int WINOGRAD_MIN_CHANNELS = Integer.getInteger("convnet.winograd-min-channels", 64);

    private Tensor input;
    private volatile TapOffsets tapOffsets;
    /**
     * What a training forward pass keeps of {@link #keptOf} for backward: its im2col columns, or for
     * a convolution {@link #trainsInPlace()}, its padded images.
     */
    private float[] kept;
    private Tensor keptOf;
    /** The convolution that computes this one's input gradient, made on first use: see {@link #inputGradient}. */
    private Conv2d inputGradient;
    /** The depthwise case's own kernel, or null: see {@link DepthwiseConvolution}. */
    private final DepthwiseConvolution depthwise;
    /** {@link #describe()}, made once: shape checks name the layer on every pass. */
    private final String description;
    /**
     * The weights transformed for {@link Winograd}, on a copy made for serving ({@link #forServing}) of a
     * 3×3, stride-1 convolution it runs faster; else null.
     */
    private Winograd.Weights winograd;

    public Conv2d(int inChannels, int outChannels, int kernelH, int kernelW, int strideH, int strideW,
                  int padH, int padW, int dilationH, int dilationW, int groups, boolean withBias) {
        this(inChannels, outChannels, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, groups,
                withBias, 0f);
    }

    private Conv2d(int inChannels, int outChannels, int kernelH, int kernelW, int strideH, int strideW,
                   int padH, int padW, int dilationH, int dilationW, int groups, boolean withBias, float fusedCap) {
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
        this.fusedCap = fusedCap;
        this.depthwise = groups == inChannels && groups == outChannels
                ? new DepthwiseConvolution(new int[] {kernelH, kernelW}, new int[] {strideH, strideW}, new int[] {padH, padW},
                        new int[] {dilationH, dilationW})
                : null;
        this.weight = Parameter.of("weight", Tensor.zeros(outChannels, inChannels / groups, kernelH, kernelW), true);
        this.bias = withBias ? Parameter.of("bias", Tensor.zeros(outChannels), false) : null;
        this.description = "conv2d(" + inChannels + "→" + outChannels + ", kernel " + kernelH + "×" + kernelW + ", stride "
                + strideH + "×" + strideW + ", padding " + padH + "×" + padW + ", dilation " + dilationH + "×" + dilationW
                + (groups > 1 ? ", groups " + groups : "") + (withBias ? "" : ", no bias") + fusedDescription() + ")";
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
        Conv2d folded = copy(true, fusedCap);
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
        return withFusedCap(Float.POSITIVE_INFINITY);
    }

    /** The same with a ReLU6 ({@link Activation.Relu6}) applied as the output is written. */
    public Conv2d withFusedRelu6() {
        return withFusedCap(Activation.Relu6.CAP);
    }

    private Conv2d withFusedCap(float cap) {
        Conv2d fused = copy(bias != null, cap);
        System.arraycopy(weight.value().data(), 0, fused.weight.value().data(), 0, weight.value().size());
        if (bias != null) {
            System.arraycopy(bias.value().data(), 0, fused.bias.value().data(), 0, bias.value().size());
        }
        return fused;
    }

    /**
     * A copy for serving, whose weights no longer change: a 3×3, stride-1, undilated, ungrouped
     * convolution of at least {@link #WINOGRAD_MIN_CHANNELS} input channels infers by {@link Winograd}'s
     * F(4×4, 3×3) (batches too small for it to pay, {@link Winograd#pays}, as before), the others as before.
     */
    public Conv2d forServing() {
        Conv2d serving = withFusedCap(fusedCap);
        if (kernelH == 3 && kernelW == 3 && strideH == 1 && strideW == 1 && dilationH == 1 && dilationW == 1 && groups == 1
                && inChannels >= WINOGRAD_MIN_CHANNELS) {
            serving.winograd = Winograd.transform(weight.value().data(), outChannels, inChannels);
        }
        return serving;
    }

    private Conv2d copy(boolean withBias, float cap) {
        return new Conv2d(inChannels, outChannels, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW,
                groups, withBias, cap);
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
    /** {@code {KH, KW}}. */
    public int[] kernel() {
        return new int[] {kernelH, kernelW};
    }

    /** {@code {SH, SW}}. */
    public int[] stride() {
        return new int[] {strideH, strideW};
    }

    /** {@code {PH, PW}}: zeros above and below, left and right. */
    public int[] padding() {
        return new int[] {padH, padW};
    }

    /** {@code {DH, DW}}. */
    public int[] dilation() {
        return new int[] {dilationH, dilationW};
    }

    public int groups() {
        return groups;
    }

    /** The cap of the ReLU fused into the output ({@link Float#POSITIVE_INFINITY} for ReLU, 6 for ReLU6), or 0 for none. */
    public float fusedCap() {
        return fusedCap;
    }


    @Override
    public String describe() {
        return description;
    }

    private String fusedDescription() {
        return fusedCap == 0f ? "" : fusedCap == Float.POSITIVE_INFINITY ? ", fused relu" : ", fused relu" + (int) fusedCap;
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
        Tensor out = Tensor.zeros(outputShape(x.shape()));
        compute(x, out, mode == Mode.TRAIN);
        return out;
    }

    @Override
    public void infer(Tensor x, Tensor out) {
        Shapes.require(describe(), x, -1, inChannels, -1, -1);
        compute(x, out, false);
    }

    /** The output into {@code out}; with {@code keep} (training), what backward needs is kept. */
    private void compute(Tensor x, Tensor out, boolean keep) {
        Geometry geo = geometry(x);
        float[] wData = weight.value().data();
        float[] b = bias == null ? null : bias.value().data();
        if (depthwise != null) {
            depthwise.forward(x, out, wData, (o, at, plane, c) -> finish(o, at, plane, b, c), keep);
            return;
        }
        if (winograd != null && !keep) {
            Winograd.Geometry tiles = new Winograd.Geometry(geo.n(), inChannels, x.dim(2), x.dim(3), padH, padW, outChannels);
            if (Winograd.pays(tiles)) {
                Winograd.convolve(tiles, winograd, x.data(), b, fusedCap, out.data());
                return;
            }
        }
        if (keep ? trainsInPlace() : strideH == 1 && strideW == 1) {
            forwardInPlace(x, geo, keep, out);
            return;
        }
        int np = geo.batchCols();
        // A few images at a time, so the GEMM reads their columns while they are still in cache.
        int chunk = Math.min(geo.n(), Math.max(1, CHUNK_FLOATS / Math.max(1, geo.rows() * geo.plane())));
        // Training keeps every image's columns for backward, in one array the chunks share (each
        // writes its own columns); inference lowers a chunk at a time into its thread's workspace.
        float[] keptColumns = keep ? keptBuffer(geo.columnsSize()) : null;
        int chunks = (geo.n() + chunk - 1) / chunk;
        // One parallel region for the layer, a chunk of images per task: lowering, product and scatter
        // of a chunk run on one thread, back to back, while its columns are in that core's cache.
        // With a single chunk (a small batch) the region runs inline and the steps share the threads.
        Parallelism.forRange(chunks, 1, (fromChunk, toChunk) -> {
            float[] cols = keep ? keptColumns : Workspace.floats(Workspace.Slot.COLUMNS, groups * geo.rows() * chunk * geo.plane());
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
            keptOf = x;
        }
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        if (fusedCap != 0f) {
            throw new IllegalStateException(describe() + " is fused for inference and has no backward pass;"
                    + " train, or take gradients of, the network as declared");
        }
        Tensor x = input;
        Geometry geo = geometry(x);
        Shapes.require(describe() + " backward", gradOut, geo.n(), outChannels, geo.window().outH(), geo.window().outW());
        addBiasGradient(gradOut, geo);
        if (depthwise != null) {
            return depthwise.backward(x, gradOut, weight.value().data(), weight.grad().data());
        }
        if (trainsInPlace()) {
            return backwardInPlace(x, gradOut, geo);
        }
        if (keptOf != x) {
            lowerBatch(geo, x.data(), 0, geo.n(), keptBuffer(geo.columnsSize()), 0, geo.batchCols());
            keptOf = x;
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
        float[] gradCols = Workspace.floats(Workspace.Slot.COLUMN_GRADIENT, geo.columnsSize());
        float[] wData = weight.value().data();
        float[] wGrad = weight.grad().data();
        for (int g = 0; g < groups; g++) {
            int gradOff = g * geo.ocg() * np;
            int colOff = g * geo.rows() * np;
            int wOff = g * geo.ocg() * geo.rows();
            // dW_g[OC/G, C/G·KH·KW] += gradT_g × cols_g^T: dot products of rows, both contiguous along N·P
            DotProducts.accumulate(geo.ocg(), geo.rows(), np, gradT, gradOff, np, kept, colOff, np, wGrad, wOff, geo.rows());
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
     * With {@code keep} (training) every image's padded copy is kept for {@link #backwardInPlace}.
     */
    private void forwardInPlace(Tensor x, Geometry geo, boolean keep, Tensor out) {
        Im2col.Window w = geo.window();
        Padded p = padded(w);
        int cg = inChannels / groups;
        int[] rows = tapOffsets(p.hp(), p.wp());
        float[] wData = weight.value().data();
        float[] b = bias == null ? null : bias.value().data();
        // Training keeps a padded copy even of an unpadded input: the weight gradient reads a little
        // past each image's end (see backwardInPlace), which the input itself has no room for.
        boolean readsInput = p.unpadded() && !keep;
        // The product's width: OH·Wp, rounded up to whole panels of the GEMM where the padded copy has
        // room to be read that far (the extra columns are dropped with the others), so no partial
        // panel is packed for every slice of k (18 % of ResNet-18's inference before).
        int wide = w.outH() * p.wp();
        int columns = readsInput ? wide : Gemm.roundUp(wide, Gemm.PANEL);
        int room = p.overhang() + columns - wide;
        float[] keptImages = keep ? keptBuffer(geo.n() * p.image() + room + DotProducts.ALIGN) : null;
        Parallelism.forRange(geo.n(), 1, (from, to) -> {
            float[] scratch = readsInput || keep ? null : Workspace.floats(Workspace.Slot.PADDED, p.image() + room);
            float[] product = Workspace.floats(Workspace.Slot.PRODUCT, outChannels * columns);
            for (int i = from; i < to; i++) {
                float[] source = readsInput ? x.data() : keep ? keptImages : scratch;
                int base = readsInput || keep ? i * p.image() : 0;
                if (!readsInput) {
                    pad(x.data(), i, w, source, base, p.hp(), p.wp());
                }
                for (int g = 0; g < groups; g++) {
                    Gemm.gemmRows(geo.ocg(), columns, geo.rows(), wData, g * geo.ocg() * geo.rows(), geo.rows(),
                            source, base + g * cg * p.hp() * p.wp(), rows, product, g * geo.ocg() * columns, columns);
                }
                scatterWide(w, product, columns, p.wp(), i, b, out.data());
            }
        });
        if (keep) {
            keptOf = x;
        }
    }

    /**
     * Stride 1 with padding within the kernel's reach ({@code P ≤ D·(K−1)} on both axes): trained
     * without a column matrix, forward by {@link #forwardInPlace} and backward by {@link #backwardInPlace}.
     */
    private boolean trainsInPlace() {
        return strideH == 1 && strideW == 1 && padH <= dilationH * (kernelH - 1) && padW <= dilationW * (kernelW - 1);
    }

    /**
     * Backward of a convolution that {@link #trainsInPlace()}, from the padded images its forward pass kept:
     * <ul>
     * <li>{@code dW_g[OC/G, C/G·KH·KW] += Σ_i dOut_i · cols_iᵀ}, where {@code dOut_i} is image i's output
     * gradient laid out wide ({@code [OC, OH·Wp]}, zero in the dropped columns) and row {@code (c, kh, kw)}
     * of {@code cols_i} is its padded image read in place at the tap's offset, as in the forward pass;</li>
     * <li>{@code dx} is a convolution of {@code dOut} with the weights flipped and their channel axes
     * swapped, stride 1, padding {@code D·(K−1) − P} ({@link #inputGradient}): no col2im.</li>
     * </ul>
     */
    private Tensor backwardInPlace(Tensor x, Tensor gradOut, Geometry geo) {
        Im2col.Window w = geo.window();
        Padded p = padded(w);
        if (keptOf != x) {
            forwardInPlace(x, geo, true, Tensor.zeros(gradOut.shape()));
        }
        // Rows of the wide gradient are padded with zeros to a whole number of vectors, so the dot
        // products have no scalar tail; the images kept have room for the extra reads.
        int wide = (w.outH() * p.wp() + DotProducts.ALIGN - 1) / DotProducts.ALIGN * DotProducts.ALIGN;
        int plane = geo.plane();
        float[] gradWide = Workspace.floats(Workspace.Slot.COLUMN_GRADIENT, geo.n() * outChannels * wide);
        float[] g0 = gradOut.data();
        Parallelism.forRange(geo.n() * outChannels, grain(plane), (from, to) -> {
            for (int t = from; t < to; t++) {
                for (int oh = 0; oh < w.outH(); oh++) {
                    int dst = t * wide + oh * p.wp();
                    System.arraycopy(g0, t * plane + oh * w.outW(), gradWide, dst, w.outW());
                    Arrays.fill(gradWide, dst + w.outW(), dst + p.wp(), 0f);
                }
                Arrays.fill(gradWide, t * wide + w.outH() * p.wp(), (t + 1) * wide, 0f);
            }
        });
        float[] source = kept;
        int[] rows = tapOffsets(p.hp(), p.wp());
        int cg = inChannels / groups;
        for (int g = 0; g < groups; g++) {
            DotProducts.accumulateRows(geo.ocg(), geo.rows(), geo.n(), wide, gradWide, g * geo.ocg() * wide,
                    outChannels * wide, wide, source, g * cg * p.hp() * p.wp(), p.image(), rows,
                    weight.grad().data(), g * geo.ocg() * geo.rows(), geo.rows());
        }
        Conv2d transposed = inputGradient();
        Tensor gradIn = Tensor.zeros(x.shape());
        transposed.forwardInPlace(gradOut, transposed.geometry(gradOut), false, gradIn);
        return gradIn;
    }

    /**
     * The convolution whose output is this one's input gradient: {@code OC → C} channels, weight
     * {@code W'[c, oc, kh, kw] = W[oc, c, KH−1−kh, KW−1−kw]} within each group, stride 1, padding
     * {@code D·(K−1) − P}, the same dilation. Its weights are copied from this one's on every call.
     */
    private Conv2d inputGradient() {
        if (inputGradient == null) {
            inputGradient = new Conv2d(outChannels, inChannels, kernelH, kernelW, 1, 1, dilationH * (kernelH - 1) - padH,
                    dilationW * (kernelW - 1) - padW, dilationH, dilationW, groups, false);
        }
        float[] from = weight.value().data();
        float[] to = inputGradient.weight.value().data();
        int cg = inChannels / groups;
        int ocg = outChannels / groups;
        int taps = kernelH * kernelW;
        for (int oc = 0; oc < outChannels; oc++) {
            int g = oc / ocg;
            for (int c = 0; c < cg; c++) {
                int src = (oc * cg + c) * taps;
                int dst = ((g * cg + c) * ocg + oc - g * ocg) * taps + taps - 1;
                for (int tap = 0; tap < taps; tap++) {
                    to[dst - tap] = from[src + tap];
                }
            }
        }
        return inputGradient;
    }

    /** {@code db[oc] += Σ dOut[n, oc, ·]}, image by image in order. */
    private void addBiasGradient(Tensor gradOut, Geometry geo) {
        if (bias == null) {
            return;
        }
        float[] g = gradOut.data();
        float[] bGrad = bias.grad().data();
        int plane = geo.plane();
        for (int oc = 0; oc < outChannels; oc++) {
            double sum = 0;
            for (int i = 0; i < geo.n(); i++) {
                for (int j = (i * outChannels + oc) * plane, end = j + plane; j < end; j++) {
                    sum += g[j];
                }
            }
            bGrad[oc] += (float) sum;
        }
    }

    /**
     * The padded image of a stride-1 convolution, {@code [C, Hp, Wp]}, {@code image} floats apart in a
     * batch. A kernel one column wide without padding can read the input itself ({@code unpadded}); a wider
     * one reads past the last row's end (the dropped columns), so a padded copy has {@code overhang}
     * floats of room after its last image.
     */
    private record Padded(int hp, int wp, int image, int overhang, boolean unpadded) {
    }

    private Padded padded(Im2col.Window w) {
        int hp = w.height() + 2 * padH;
        int wp = w.width() + 2 * padW;
        boolean unpadded = padH == 0 && padW == 0 && kernelW == 1;
        return new Padded(hp, wp, inChannels * hp * wp, (kernelW - 1) * dilationW, unpadded);
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

    /** Image {@code i} of {@code x[N, C, H, W]} into {@code padded[C, Hp, Wp]} at {@code at}, zeros around it. */
    private void pad(float[] x, int i, Im2col.Window w, float[] padded, int at, int hp, int wp) {
        int h = w.height();
        int width = w.width();
        for (int c = 0; c < inChannels; c++) {
            int src = (i * inChannels + c) * h * width;
            int dst = at + c * hp * wp;
            Arrays.fill(padded, dst, dst + padH * wp + padW, 0f);
            for (int y = 0; y < h; y++) {
                int row = dst + (padH + y) * wp + padW;
                System.arraycopy(x, src + y * width, padded, row, width);
                Arrays.fill(padded, row + width, Math.min(row + width + 2 * padW, dst + hp * wp), 0f);
            }
            Arrays.fill(padded, Math.min(dst + (padH + h) * wp + padW, dst + hp * wp), dst + hp * wp, 0f);
        }
    }

    /** Image {@code i} of {@code out[N, OC, OH, OW]} from the wide product {@code [OC, columns]} (row oh of channel oc at {@code oc·columns + oh·Wp}), plus the bias, then the fused ReLU. */
    private void scatterWide(Im2col.Window w, float[] product, int columns, int wp, int i, float[] b, float[] out) {
        int plane = w.outH() * w.outW();
        for (int oc = 0; oc < outChannels; oc++) {
            int dst = (i * outChannels + oc) * plane;
            for (int oh = 0; oh < w.outH(); oh++) {
                System.arraycopy(product, oc * columns + oh * wp, out, dst + oh * w.outW(), w.outW());
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
        if (fusedCap != 0f) {
            Elementwise.clamp(out, out, dst, dst + plane, fusedCap);
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

    /** The buffer a training forward pass keeps for the backward pass; grown, never shrunk. */
    private float[] keptBuffer(int size) {
        if (kept == null || kept.length < size) {
            kept = new float[size];
        }
        return kept;
    }

    /** Items per parallel chunk for loops doing {@code work} element moves per item. */
    static int grain(int work) {
        return Math.max(1, (1 << 15) / Math.max(1, work));
    }

    @Override
    public List<Parameter> parameters() {
        return Parameter.present(weight, bias);
    }

    @Override
    public long derivedFloats() {
        return winograd == null ? 0 : winograd.packed().length;
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
