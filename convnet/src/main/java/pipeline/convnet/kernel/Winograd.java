package pipeline.convnet.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Winograd's minimal filtering F(4×4, 3×3) (Lavin and Gray, 2016) for 3×3, stride-1, undilated,
 * ungrouped convolutions in inference: each 4×4 block of outputs comes from a 6×6 tile of input in 36
 * multiplications per pair of channels instead of 144.
 *
 * <pre>
 * U = G g Gᵀ     weights [3, 3] → [6, 6], once per layer
 * V = Bᵀ d B     input tile d [6, 6], rows 4ty−PH …, columns 4tx−PW …
 * Y = Aᵀ M A     M = Σ_c U ⊙ V, output block [4, 4]
 *
 * G  = [[¼, 0, 0], [−⅙, −⅙, −⅙], [−⅙, ⅙, −⅙], [1/24, 1/12, ⅙], [1/24, −1/12, ⅙], [0, 0, 1]]
 * Bᵀ = [[4, 0, −5, 0, 1, 0], [0, −4, −4, 1, 1, 0], [0, 4, −4, −1, 1, 0],
 *       [0, −2, −1, 2, 1, 0], [0, 2, −1, −2, 1, 0], [0, 4, 0, −5, 0, 1]]
 * Aᵀ = [[1, 1, 1, 1, 1, 0], [0, 1, −1, 2, −2, 0], [0, 1, 1, 4, 4, 0], [0, 1, −1, 8, −8, 1]]
 * </pre>
 * The sum over input channels is, at each of a tile's 36 positions ξ, a matrix product
 * {@code M_ξ[OC, tiles] = U_ξ[OC, C] × V_ξ[C, tiles]}, run by the GEMM's {@link MicroKernel} on weights
 * packed once ({@link #transform}). The batch's tiles are taken a few rows of tiles at a time (a chunk),
 * so a chunk's V and M stay in a core's cache between the input transform, the products and the output
 * transform; chunks share the threads, and a lone chunk (a small batch) shares its three steps instead.
 *
 * <p>The transforms run {@link #LANES} tiles at a time, one vector per value of a tile: an input row is
 * split into its columns modulo 4 once, so tile tx's six columns {@code 4tx … 4tx+5} are whole vectors
 * at {@code tx} and {@code tx + 1} of the four parts. The 1-d transforms, {@link #inputPoints} and
 * {@link #outputPoints}, fix the order of every operation; {@link WinogradReference} applies them one
 * tile at a time in scalar arithmetic, equal bit for bit. Against the direct convolution the outputs
 * differ by float rounding: the transforms scale and add inputs before they are multiplied.
 */
public final class Winograd {

    /** Outputs per tile along each axis. */
    static final int OUT = 4;
    /** Inputs per tile along each axis. */
    static final int TILE = OUT + 2;
    /** Positions of a transformed tile: 6 × 6. */
    public static final int POSITIONS = TILE * TILE;
    /** Must be static final: a species in any other field is not compiled to vector instructions. */
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final int MR = MicroKernel.MR;
    private static final int NR = MicroKernel.NR;
    /** Scratch a chunk's V and M should fit in: about a core's L2. */
    private static final int CHUNK_BYTES = 1 << 19;
    /** Rows of G, in double: each transformed weight is rounded to float once. */
    private static final double[][] G = {
            {1 / 4.0, 0, 0}, {-1 / 6.0, -1 / 6.0, -1 / 6.0}, {-1 / 6.0, 1 / 6.0, -1 / 6.0},
            {1 / 24.0, 1 / 12.0, 1 / 6.0}, {1 / 24.0, -1 / 12.0, 1 / 6.0}, {0, 0, 1}};

    private Winograd() {
    }

    /**
     * Transformed weights: {@code U_ξ[OC, C]} for each position ξ, packed as the micro-kernel reads A
     * (panel of {@link MicroKernel#MR} output channels, input channel, MR rows; zero rows past OC):
     * {@code packed[((ξ·OCp/MR + panel)·C + c)·MR + row]}.
     */
    public record Weights(int outChannels, int inChannels, float[] packed) {

        /** Output channels rounded up to whole panels. */
        int paddedOut() {
            return Gemm.roundUp(outChannels, MR);
        }
    }

    /** {@code U = G g Gᵀ} of every 3×3 kernel of {@code weight[OC, C, 3, 3]}, packed for the products. */
    public static Weights transform(float[] weight, int outChannels, int inChannels) {
        int ocp = Gemm.roundUp(outChannels, MR);
        float[] packed = new float[POSITIONS * ocp * inChannels];
        float[] u = new float[POSITIONS];
        for (int oc = 0; oc < outChannels; oc++) {
            for (int c = 0; c < inChannels; c++) {
                filter(weight, (oc * inChannels + c) * 9, u);
                for (int xi = 0; xi < POSITIONS; xi++) {
                    packed[((xi * ocp + oc - oc % MR) * inChannels + c * MR) + oc % MR] = u[xi];
                }
            }
        }
        return new Weights(outChannels, inChannels, packed);
    }

    /** {@code u[6·i + j] = (G g Gᵀ)[i, j]} of the 3×3 kernel {@code g} at {@code at}, in double, rounded once. */
    static void filter(float[] g, int at, float[] u) {
        for (int i = 0; i < TILE; i++) {
            for (int j = 0; j < TILE; j++) {
                double sum = 0;
                for (int a = 0; a < 3; a++) {
                    for (int b = 0; b < 3; b++) {
                        sum += G[i][a] * g[at + 3 * a + b] * G[j][b];
                    }
                }
                u[TILE * i + j] = (float) sum;
            }
        }
    }

    /**
     * {@code Bᵀ d} of six values, in the order of operations every implementation follows:
     * {@code out[k] = } row k of Bᵀ times {@code d}.
     */
    static void inputPoints(float[] d, float[] out) {
        out[0] = Math.fma(4f, d[0], Math.fma(-5f, d[2], d[4]));
        out[1] = Math.fma(-4f, d[1] + d[2], d[3] + d[4]);
        out[2] = Math.fma(4f, d[1] - d[2], d[4] - d[3]);
        out[3] = Math.fma(2f, d[3] - d[1], d[4] - d[2]);
        out[4] = Math.fma(2f, d[1] - d[3], d[4] - d[2]);
        out[5] = Math.fma(4f, d[1], Math.fma(-5f, d[3], d[5]));
    }

    /** {@code Aᵀ m} of six values: {@code out[k] = } row k of Aᵀ times {@code m}, in a fixed order of operations. */
    static void outputPoints(float[] m, float[] out) {
        float s12 = m[1] + m[2];
        float d12 = m[1] - m[2];
        float s34 = m[3] + m[4];
        float d34 = m[3] - m[4];
        out[0] = m[0] + s12 + s34;
        out[1] = Math.fma(2f, d34, d12);
        out[2] = Math.fma(4f, s34, s12);
        out[3] = Math.fma(8f, d34, d12) + m[5];
    }

    /**
     * Sizes of one convolution: input {@code [n, C, h, w]}, padding {@code padH × padW}, output
     * {@code [n, OC, outH, outW]} with {@code outH = h + 2·padH − 2}, in tiles of 4×4 outputs.
     */
    public record Geometry(int n, int channels, int h, int w, int padH, int padW, int outChannels) {

        public Geometry {
            if (h + 2 * padH < 3 || w + 2 * padW < 3) {
                throw new IllegalArgumentException("winograd: a " + h + "×" + w + " input padded by " + padH + "×" + padW
                        + " is smaller than the 3×3 kernel");
            }
        }

        public int outH() {
            return h + 2 * padH - 2;
        }

        public int outW() {
            return w + 2 * padW - 2;
        }

        int tilesH() {
            return (outH() + OUT - 1) / OUT;
        }

        int tilesW() {
            return (outW() + OUT - 1) / OUT;
        }

        /** Rows of tiles in the batch, each {@link #tilesW()} tiles. */
        int tileRows() {
            return n * tilesH();
        }
    }

    /**
     * Whether a batch of this geometry pays for the transforms, as measured against the direct
     * convolution (docs/benchmarks.md): at least half a panel of the micro-kernel's columns of tiles
     * (a 7×7 map at batch 1 is 4 tiles in a 32-column panel: 0.64× the direct convolution's speed), and
     * enough channels for the lanes the transforms use, which run a row of tiles at a time: {@code C · tilesW
     * ≥ 16 · tilesW rounded up to whole vectors} (64 channels on 7×7 maps fill 2 of 16 lanes and ran at
     * 0.78×; 128 channels there at 1.46×, 64 on 14×14 at 1.04×, on 56×56 at 1.79×).
     */
    public static boolean pays(Geometry g) {
        long tiles = (long) g.tileRows() * g.tilesW();
        return tiles >= NR / 2 && (long) g.channels() * g.tilesW() >= 16L * Gemm.roundUp(g.tilesW(), LANES);
    }

    /**
     * {@code out[N, OC, OH, OW] = conv(x, g)} (3×3, stride 1, padding {@code g.padH × g.padW}), plus
     * {@code bias[oc]} (none if null), then clamped to {@code [0, cap]} when {@code cap ≠ 0} (+∞ for ReLU).
     */
    public static void convolve(Geometry g, Weights u, float[] x, float[] bias, float cap, float[] out) {
        if (u.inChannels() != g.channels() || u.outChannels() != g.outChannels()) {
            throw new IllegalArgumentException("winograd: weights for " + u.inChannels() + "→" + u.outChannels()
                    + " channels applied to " + g.channels() + "→" + g.outChannels());
        }
        int bytesPerTile = POSITIONS * (g.channels() + u.paddedOut()) * Float.BYTES;
        int tilesWanted = Math.max(2 * NR, CHUNK_BYTES / bytesPerTile);
        int rowsPerChunk = Math.max(1, tilesWanted / g.tilesW());
        int chunks = Gemm.ceilDiv(g.tileRows(), rowsPerChunk);
        Parallelism.forRange(chunks, 1, (from, to) -> {
            for (int chunk = from; chunk < to; chunk++) {
                int first = chunk * rowsPerChunk;
                new Chunk(g, u, first, Math.min(g.tileRows(), first + rowsPerChunk)).run(x, bias, cap, out);
            }
        });
    }

    /**
     * Tile rows {@code [first, last)} of the batch (row r is image {@code r / tilesH}, tile row
     * {@code r % tilesH}): their tiles, multiplied {@code columns} wide (a whole number of the
     * micro-kernel's columns), in {@code V[ξ][C][stride]} ({@code stride = columns + LANES}: the input
     * transform writes whole vectors past a row's last tile) and {@code M[ξ][OCp][columns]}. Positions
     * are a vector further apart than that ({@link #vPosition}, {@link #mPosition}): the transforms read or
     * write many at once, and streams a multiple of 4 KB apart would share an L1 set.
     */
    private record Chunk(Geometry g, Weights u, int first, int last, int columns) {

        Chunk(Geometry g, Weights u, int first, int last) {
            this(g, u, first, last, Gemm.roundUp((last - first) * g.tilesW(), NR));
        }

        int stride() {
            return columns + LANES;
        }

        /** Floats from one position of V to the next. */
        int vPosition() {
            return g.channels() * stride() + LANES;
        }

        /** Floats from one position of M to the next. */
        int mPosition() {
            return u.paddedOut() * columns + LANES;
        }

        void run(float[] x, float[] bias, float cap, float[] out) {
            int c = g.channels();
            int ocp = u.paddedOut();
            float[] v = Workspace.floats(Workspace.Slot.COLUMNS, POSITIONS * vPosition());
            // M is read a whole vector at a time from each row's last tiles on: room for the last row's.
            float[] m = Workspace.floats(Workspace.Slot.PRODUCT, POSITIONS * mPosition());
            // A task per channel, its tile rows in order: a row's whole-vector overrun lands on the
            // next row's tiles before that row is written, never on another task's.
            Parallelism.forRange(c, 1, (from, to) -> {
                float[] strip = Workspace.floats(Workspace.Slot.PADDED, InputStrip.floats(g));
                for (int channel = from; channel < to; channel++) {
                    for (int row = first; row < last; row++) {
                        inputTransform(x, channel, row, strip, v);
                    }
                }
            });
            int panels = ocp / MR;
            Parallelism.forRange(POSITIONS * panels, 4, (from, to) -> {
                for (int t = from; t < to; t++) {
                    product(t / panels, t % panels, v, m);
                }
            });
            Parallelism.forRange(g.outChannels(), 1, (from, to) -> {
                float[] rows = Workspace.floats(Workspace.Slot.PADDED, OutputRows.floats(g));
                for (int oc = from; oc < to; oc++) {
                    for (int row = first; row < last; row++) {
                        outputTransform(m, oc, row, bias, cap, rows, out);
                    }
                }
            });
        }

        /**
         * Channel {@code c} of tile row {@code row} into {@code V[6·i + j][c][tile]}: the six input rows
         * it covers, split into their columns modulo 4 (zero outside the image); {@code Bᵀ ·} down each of
         * the four parts; then {@code · B} along each of the six rows, tile tx's columns at {@code tx} of
         * parts 0…3 and {@code tx + 1} of parts 0 and 1. The strip holds input rows in a ring of eight, so
         * a tile row after one of the same image splits only its last four rows.
         */
        private void inputTransform(float[] x, int c, int row, float[] strip, float[] v) {
            int image = row / g.tilesH();
            int top = OUT * (row % g.tilesH());
            boolean follows = row > first && top > 0;
            for (int k = follows ? 2 : 0; k < TILE; k++) {
                int y = top + k - g.padH();
                int src = y >= 0 && y < g.h() ? ((image * g.channels() + c) * g.h() + y) * g.w() : -1;
                InputStrip.split(g, x, src, strip, top + k);
            }
            int length = InputStrip.length(g);
            // the tile's input rows 0…5 in the ring
            int r0 = InputStrip.row(top, g);
            int r1 = InputStrip.row(top + 1, g);
            int r2 = InputStrip.row(top + 2, g);
            int r3 = InputStrip.row(top + 3, g);
            int r4 = InputStrip.row(top + 4, g);
            int r5 = InputStrip.row(top + 5, g);
            int down = InputStrip.transformed(g);
            int span = g.tilesW() + 1;
            for (int part = 0; part < 4; part++) {
                for (int q = 0; q < span; q += LANES) {
                    int at = part * length + q;
                    points(strip, r0 + at, r1 + at, r2 + at, r3 + at, r4 + at, r5 + at, strip, down + at, 4 * length);
                }
            }
            int stride = vPosition();
            int dst = c * stride() + (row - first) * g.tilesW();
            for (int i = 0; i < TILE; i++) {
                int r = down + i * 4 * length;
                for (int q = 0; q < g.tilesW(); q += LANES) {
                    int at = r + q;
                    points(strip, at, at + length, at + 2 * length, at + 3 * length, at + 1, at + length + 1,
                            v, dst + TILE * i * stride + q, stride);
                }
            }
        }

        /** {@code M_ξ[panel's MR rows, columns] = U_ξ[panel, C] × V_ξ[C, columns]}, a block of the micro-kernel at a time. */
        private void product(int xi, int panel, float[] v, float[] m) {
            int c = g.channels();
            int aPanel = (xi * u.paddedOut() + panel * MR) * c;
            int bRow = xi * vPosition();
            int cRow = xi * mPosition() + panel * MR * columns;
            for (int jr = 0; jr < columns; jr += NR) {
                MicroKernel.clear(m, cRow + jr, columns);
                MicroKernel.multiplyAdd(c, u.packed(), aPanel, v, bRow + jr, stride(), m, cRow + jr, columns);
            }
        }

        /**
         * Output channel {@code oc} of tile row {@code row}: {@code Aᵀ ·} down each of M's six columns, then
         * {@code · A} along each of the four rows that gives, plus the bias, clamped, its four columns
         * interleaved into an output row, and the rows copied out (those past OH or OW dropped).
         */
        private void outputTransform(float[] m, int oc, int row, float[] bias, float cap, float[] rows, float[] out) {
            int image = row / g.tilesH();
            int oy = OUT * (row % g.tilesH());
            int stride = mPosition();
            int src = oc * columns + (row - first) * g.tilesW();
            int width = OutputRows.width(g);
            int down = OUT * width;
            float b = bias == null ? 0f : bias[oc];
            // · A along a row of Aᵀ M puts its four values here, after Aᵀ M
            int along = down + OUT * TILE * LANES;
            for (int q = 0; q < g.tilesW(); q += LANES) {
                // Aᵀ m of column j into rows[down + (r·6 + j)·LANES]
                for (int j = 0; j < TILE; j++) {
                    int at = src + q + j * stride;
                    downColumn(m, at, TILE * stride, rows, down + j * LANES, TILE * LANES);
                }
                for (int r = 0; r < OUT; r++) {
                    downColumn(rows, down + r * TILE * LANES, LANES, rows, along, LANES);
                    outputRow(rows, along, b, cap, rows, r * width + OUT * q);
                }
            }
            int dst = ((image * g.outChannels() + oc) * g.outH() + oy) * g.outW();
            for (int r = 0; r < OUT && oy + r < g.outH(); r++) {
                System.arraycopy(rows, r * width, out, dst + r * g.outW(), g.outW());
            }
        }
    }

    /**
     * {@link #inputPoints} of {@link #LANES} sets of six values (at {@code a0 … a5} of {@code in}) into
     * {@code out} at {@code to}, {@code to + step}, …. Vectors never cross a method boundary here or in the
     * methods below: in a call C2 does not inline (and it stops inlining in long methods) a vector is boxed.
     */
    private static void points(float[] in, int a0, int a1, int a2, int a3, int a4, int a5, float[] out, int to, int step) {
        FloatVector d0 = FloatVector.fromArray(SPECIES, in, a0);
        FloatVector d1 = FloatVector.fromArray(SPECIES, in, a1);
        FloatVector d2 = FloatVector.fromArray(SPECIES, in, a2);
        FloatVector d3 = FloatVector.fromArray(SPECIES, in, a3);
        FloatVector d4 = FloatVector.fromArray(SPECIES, in, a4);
        FloatVector d5 = FloatVector.fromArray(SPECIES, in, a5);
        FloatVector four = FloatVector.broadcast(SPECIES, 4f);
        FloatVector two = FloatVector.broadcast(SPECIES, 2f);
        FloatVector minusFour = FloatVector.broadcast(SPECIES, -4f);
        FloatVector minusFive = FloatVector.broadcast(SPECIES, -5f);
        d0.fma(four, d2.fma(minusFive, d4)).intoArray(out, to);
        d1.add(d2).fma(minusFour, d3.add(d4)).intoArray(out, to + step);
        d1.sub(d2).fma(four, d4.sub(d3)).intoArray(out, to + 2 * step);
        d3.sub(d1).fma(two, d4.sub(d2)).intoArray(out, to + 3 * step);
        d1.sub(d3).fma(two, d4.sub(d2)).intoArray(out, to + 4 * step);
        d1.fma(four, d3.fma(minusFive, d5)).intoArray(out, to + 5 * step);
    }

    /**
     * {@link #outputPoints} of the six values {@code step} apart from {@code at} (LANES sets) into {@code out}
     * at {@code to}, {@code to + outStep}, …: down a column of M, or along a row of {@code Aᵀ M}.
     */
    private static void downColumn(float[] m, int at, int step, float[] out, int to, int outStep) {
        FloatVector m0 = FloatVector.fromArray(SPECIES, m, at);
        FloatVector m1 = FloatVector.fromArray(SPECIES, m, at + step);
        FloatVector m2 = FloatVector.fromArray(SPECIES, m, at + 2 * step);
        FloatVector m3 = FloatVector.fromArray(SPECIES, m, at + 3 * step);
        FloatVector m4 = FloatVector.fromArray(SPECIES, m, at + 4 * step);
        FloatVector m5 = FloatVector.fromArray(SPECIES, m, at + 5 * step);
        FloatVector s12 = m1.add(m2);
        FloatVector d12 = m1.sub(m2);
        FloatVector s34 = m3.add(m4);
        FloatVector d34 = m3.sub(m4);
        m0.add(s12).add(s34).intoArray(out, to);
        d34.fma(FloatVector.broadcast(SPECIES, 2f), d12).intoArray(out, to + outStep);
        s34.fma(FloatVector.broadcast(SPECIES, 4f), s12).intoArray(out, to + 2 * outStep);
        d34.fma(FloatVector.broadcast(SPECIES, 8f), d12).add(m5).intoArray(out, to + 3 * outStep);
    }

    /**
     * One output row of {@link #LANES} tiles from its four values at {@code at} ({@code LANES} apart, as
     * {@link #downColumn} writes them along a row of {@code Aᵀ M}): plus {@code bias}, clamped to
     * {@code [0, cap]} when {@code cap ≠ 0} (as {@link Elementwise#clamp}), the four columns interleaved into
     * {@code rows} from {@code to}.
     */
    private static void outputRow(float[] in, int at, float bias, float cap, float[] rows, int to) {
        FloatVector b = FloatVector.broadcast(SPECIES, bias);
        FloatVector y0 = FloatVector.fromArray(SPECIES, in, at).add(b);
        FloatVector y1 = FloatVector.fromArray(SPECIES, in, at + LANES).add(b);
        FloatVector y2 = FloatVector.fromArray(SPECIES, in, at + 2 * LANES).add(b);
        FloatVector y3 = FloatVector.fromArray(SPECIES, in, at + 3 * LANES).add(b);
        if (cap != 0f) {
            FloatVector zero = FloatVector.zero(SPECIES);
            FloatVector top = FloatVector.broadcast(SPECIES, cap);
            y0 = y0.blend(zero, y0.compare(VectorOperators.LE, 0f)).blend(top, y0.compare(VectorOperators.GE, cap));
            y1 = y1.blend(zero, y1.compare(VectorOperators.LE, 0f)).blend(top, y1.compare(VectorOperators.GE, cap));
            y2 = y2.blend(zero, y2.compare(VectorOperators.LE, 0f)).blend(top, y2.compare(VectorOperators.GE, cap));
            y3 = y3.blend(zero, y3.compare(VectorOperators.LE, 0f)).blend(top, y3.compare(VectorOperators.GE, cap));
        }
        // pairs (y0, y1) and (y2, y3) per tile, then the pairs interleaved: y0 y1 y2 y3 of each tile in turn
        FloatVector low01 = OutputRows.ZIP_LOW.selectFrom(y0, y1);
        FloatVector high01 = OutputRows.ZIP_HIGH.selectFrom(y0, y1);
        FloatVector low23 = OutputRows.ZIP_LOW.selectFrom(y2, y3);
        FloatVector high23 = OutputRows.ZIP_HIGH.selectFrom(y2, y3);
        OutputRows.PAIRS_LOW.selectFrom(low01, low23).intoArray(rows, to);
        OutputRows.PAIRS_HIGH.selectFrom(low01, low23).intoArray(rows, to + LANES);
        OutputRows.PAIRS_LOW.selectFrom(high01, high23).intoArray(rows, to + 2 * LANES);
        OutputRows.PAIRS_HIGH.selectFrom(high01, high23).intoArray(rows, to + 3 * LANES);
    }

    /**
     * A thread's scratch for one channel of a tile row: an input row padded with zeros; a ring of
     * {@link #RING} input rows, each split into four parts (columns ≡ 0, 1, 2, 3 mod 4) of {@link #length}
     * floats (the {@code tilesW + 1} a tile row reads, and room for the vectors read from its last tiles
     * on); then the six rows of {@code Bᵀ d}, four parts each.
     */
    static final class InputStrip {

        /** Input rows the ring holds: a tile row reads six, two of them shared with the next. */
        static final int RING = 8;
        /** Lane j of the first: 2j, of the second: 2j + 1; indices past the lanes select from a second vector. */
        private static final FloatVector EVEN = FloatVector.fromArray(SPECIES, lanes(2, 0), 0);
        private static final FloatVector ODD = FloatVector.fromArray(SPECIES, lanes(2, 1), 0);

        private InputStrip() {
        }

        static int length(Geometry g) {
            return Gemm.roundUp(g.tilesW() + 1, LANES) + LANES;
        }

        /** The padded row: room for every vector the split reads. */
        static int rowFloats(Geometry g) {
            return 4 * length(g);
        }

        /** Where padded input row {@code row} starts in the ring (its part p {@code p·length} further). */
        static int row(int row, Geometry g) {
            return rowFloats(g) + row % RING * 4 * length(g);
        }

        /** Where the six rows of {@code Bᵀ d} start, after the ring (row i, part p at {@code (4i + p)·length} from there). */
        static int transformed(Geometry g) {
            return rowFloats(g) + RING * 4 * length(g);
        }

        static int floats(Geometry g) {
            return transformed(g) + TILE * 4 * length(g);
        }

        /**
         * Input row {@code x[src … src + w)} (none when {@code src < 0}) at padded column {@code padW}
         * as padded row {@code padded} of the ring ({@link #row}): part p holds padded columns {@code 4q + p}, for the
         * {@code tilesW + 1} values of q a tile row reads, whole vectors at a time (evens and odds, then
         * evens and odds of those). The vectors are read from the input itself where they fit in its
         * array (the columns outside the row then cleared), else from a zero-padded copy of the row.
         */
        static void split(Geometry g, float[] x, int src, float[] strip, int padded) {
            int length = length(g);
            int base = row(padded, g);
            int span = g.tilesW() + 1;
            int end = Gemm.roundUp(span, LANES);
            if (src < 0) {
                for (int p = 0; p < 4; p++) {
                    Arrays.fill(strip, base + p * length, base + p * length + end, 0f);
                }
                return;
            }
            int from = src - g.padW();
            boolean direct = from >= 0 && from + 4 * end <= x.length;
            if (!direct) {
                Arrays.fill(strip, 0, g.padW(), 0f);
                System.arraycopy(x, src, strip, g.padW(), g.w());
                Arrays.fill(strip, g.padW() + g.w(), 4 * end, 0f);
            }
            float[] row = direct ? x : strip;
            int at = direct ? from : 0;
            for (int q = 0; q < end; q += LANES) {
                int i = at + 4 * q;
                FloatVector v0 = FloatVector.fromArray(SPECIES, row, i);
                FloatVector v1 = FloatVector.fromArray(SPECIES, row, i + LANES);
                FloatVector v2 = FloatVector.fromArray(SPECIES, row, i + 2 * LANES);
                FloatVector v3 = FloatVector.fromArray(SPECIES, row, i + 3 * LANES);
                FloatVector even01 = EVEN.selectFrom(v0, v1);
                FloatVector odd01 = ODD.selectFrom(v0, v1);
                FloatVector even23 = EVEN.selectFrom(v2, v3);
                FloatVector odd23 = ODD.selectFrom(v2, v3);
                EVEN.selectFrom(even01, even23).intoArray(strip, base + q);
                EVEN.selectFrom(odd01, odd23).intoArray(strip, base + length + q);
                ODD.selectFrom(even01, even23).intoArray(strip, base + 2 * length + q);
                ODD.selectFrom(odd01, odd23).intoArray(strip, base + 3 * length + q);
            }
            // padded columns left and right of the row: zero
            for (int p = 0; p < Math.min(g.padW(), 4 * span); p++) {
                strip[base + (p % 4) * length + p / 4] = 0f;
            }
            for (int p = g.padW() + g.w(); p < 4 * span; p++) {
                strip[base + (p % 4) * length + p / 4] = 0f;
            }
        }
    }

    /**
     * A tile row's four output rows, {@link #width} floats apart, then the scratch of {@code Aᵀ M} (row r,
     * column j at {@code (6r + j)·LANES}), then of one row of {@code Aᵀ M A} (column j at {@code j·LANES}).
     */
    static final class OutputRows {

        /** Lane j: lane j / 2 of the first vector (j even) or of the second (j odd), from the lower half. */
        static final FloatVector ZIP_LOW = FloatVector.fromArray(SPECIES, zip(1, 0), 0);
        /** The same from the upper half. */
        static final FloatVector ZIP_HIGH = FloatVector.fromArray(SPECIES, zip(1, LANES / 2), 0);
        /** The same for pairs of lanes: pair j / 2 of the first (j even) or of the second (j odd), lower half. */
        static final FloatVector PAIRS_LOW = FloatVector.fromArray(SPECIES, zip(2, 0), 0);
        /** Pairs from the upper half. */
        static final FloatVector PAIRS_HIGH = FloatVector.fromArray(SPECIES, zip(2, LANES / 2), 0);

        private OutputRows() {
        }

        static int width(Geometry g) {
            return OUT * Gemm.roundUp(g.tilesW(), LANES);
        }

        static int floats(Geometry g) {
            return OUT * width(g) + OUT * TILE * LANES + OUT * LANES;
        }

        /**
         * Indices interleaving groups of {@code group} lanes of two vectors, starting at lane {@code from}:
         * group k of the result is group {@code k / 2} (from {@code from}) of the first for k even, of the second for k odd.
         */
        private static float[] zip(int group, int from) {
            float[] index = new float[LANES];
            for (int j = 0; j < LANES; j++) {
                int k = j / group;
                index[j] = (k % 2 == 0 ? 0 : LANES) + from + k / 2 * group + j % group;
            }
            return index;
        }
    }

    /** {@code index[j] = step·j + offset}. */
    private static float[] lanes(int step, int offset) {
        float[] index = new float[LANES];
        for (int j = 0; j < LANES; j++) {
            index[j] = step * j + offset;
        }
        return index;
    }
}
