package pipeline.convnet.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Winograd's minimal filtering F(2×2, 3×3) (Lavin and Gray, 2016) for 3×3, stride-1, undilated,
 * ungrouped convolutions in inference: each 2×2 block of outputs comes from a 4×4 tile of input in 16
 * multiplications per pair of channels instead of 36.
 *
 * <pre>
 * U = G g Gᵀ     weights [3, 3] → [4, 4], once per layer     G  = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]
 * V = Bᵀ d B     input tile d [4, 4], rows 2ty−PH …, columns 2tx−PW …    Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]]
 * Y = Aᵀ M A     M = Σ_c U ⊙ V, output block [2, 2]           Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]]
 * </pre>
 * The sum over input channels is, at each of a tile's 16 positions ξ, a matrix product
 * {@code M_ξ[OC, tiles] = U_ξ[OC, C] × V_ξ[C, tiles]}, run by the GEMM's {@link MicroKernel} on weights
 * packed once ({@link #transform}). The batch's tiles are taken a few rows of tiles at a time (a chunk),
 * so a chunk's V and M stay in a core's cache between the input transform, the products and the output
 * transform; chunks share the threads, and a lone chunk (a small batch) shares its three steps instead.
 *
 * <p>{@link WinogradReference} is the scalar algorithm, equal bit for bit; against the direct
 * convolution the results differ by float rounding (the transforms add and subtract inputs before
 * they are multiplied), a few units in the last place of the outputs' scale.
 */
public final class Winograd {

    /** Positions of a transformed tile: 4 × 4. */
    static final int POSITIONS = 16;
    /** Must be static final: a species in any other field is not compiled to vector instructions. */
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final int MR = MicroKernel.MR;
    private static final int NR = MicroKernel.NR;
    /** Scratch a chunk's V and M should fit in: about a core's L2. */
    private static final int CHUNK_BYTES = 1 << 19;

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

        long bytes() {
            return (long) packed.length * Float.BYTES;
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

    /** {@code u[4·i + j] = (G g Gᵀ)[i, j]} of the 3×3 kernel {@code g} at {@code at}, row by row. */
    static void filter(float[] g, int at, float[] u) {
        float[] rows = new float[12];
        for (int col = 0; col < 3; col++) {
            float g0 = g[at + col];
            float g1 = g[at + 3 + col];
            float g2 = g[at + 6 + col];
            rows[col] = g0;
            rows[3 + col] = (g0 + g1 + g2) * 0.5f;
            rows[6 + col] = (g0 - g1 + g2) * 0.5f;
            rows[9 + col] = g2;
        }
        for (int i = 0; i < 4; i++) {
            float g0 = rows[3 * i];
            float g1 = rows[3 * i + 1];
            float g2 = rows[3 * i + 2];
            u[4 * i] = g0;
            u[4 * i + 1] = (g0 + g1 + g2) * 0.5f;
            u[4 * i + 2] = (g0 - g1 + g2) * 0.5f;
            u[4 * i + 3] = g2;
        }
    }

    /**
     * Sizes of one convolution: input {@code [n, C, h, w]}, padding {@code padH × padW}, output
     * {@code [n, OC, outH, outW]} with {@code outH = h + 2·padH − 2}, in tiles of 2×2 outputs.
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
            return (outH() + 1) / 2;
        }

        int tilesW() {
            return (outW() + 1) / 2;
        }

        /** Rows of tiles in the batch, each {@link #tilesW()} tiles. */
        int tileRows() {
            return n * tilesH();
        }
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
     * {@code r % tilesH}): {@code tiles} tiles, multiplied {@code columns} wide (a whole number of the
     * micro-kernel's columns), in {@code V[ξ][C][stride]} ({@code stride = columns + LANES}: the input
     * transform writes whole vectors past a row's last tile) and {@code M[ξ][OCp][columns]}. Positions
     * are a vector further apart than that ({@link #vPosition}, {@link #mPosition}): the transforms read or
     * write all 16 at once, and 16 streams a multiple of 4 KB apart would share an L1 set.
     */
    private record Chunk(Geometry g, Weights u, int first, int last, int tiles, int columns) {

        Chunk(Geometry g, Weights u, int first, int last) {
            this(g, u, first, last, (last - first) * g.tilesW(), Gemm.roundUp((last - first) * g.tilesW(), NR));
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
                float[] rows = Workspace.floats(Workspace.Slot.PADDED, 2 * OutputRows.half(g));
                for (int oc = from; oc < to; oc++) {
                    for (int row = first; row < last; row++) {
                        outputTransform(m, oc, row, bias, cap, rows, out);
                    }
                }
            });
        }

        /**
         * Channel {@code c} of tile row {@code row} into {@code V[4·i + j][c][tile]}: the four input rows
         * it covers, split into even and odd columns (zero outside the image), then {@code Bᵀ d B} of
         * {@link #LANES} tiles at a time. With the columns split, tile tx's four columns are
         * {@code even[tx], odd[tx], even[tx + 1], odd[tx + 1]}: whole vectors, no gathers. The strip
         * holds padded rows in a ring of four, so a tile row after one of the same image splits only
         * its last two rows (its first two were the previous one's last two).
         */
        private void inputTransform(float[] x, int c, int row, float[] strip, float[] v) {
            int image = row / g.tilesH();
            int top = 2 * (row % g.tilesH());
            boolean follows = row > first && top > 0;
            for (int k = follows ? 2 : 0; k < 4; k++) {
                int y = top + k - g.padH();
                int src = y >= 0 && y < g.h() ? ((image * g.channels() + c) * g.h() + y) * g.w() : -1;
                InputStrip.split(g, x, src, strip, (top + k) % 4);
            }
            int length = InputStrip.length(g);
            int even = InputStrip.rowFloats(g);
            int odd = even + 4 * length;
            // strip offsets of the tile's rows 0…3: ring slots (top + k) mod 4
            int r0 = (top % 4) * length;
            int r1 = ((top + 1) % 4) * length;
            int r2 = ((top + 2) % 4) * length;
            int r3 = ((top + 3) % 4) * length;
            int stride = vPosition();
            int at = (c * stride()) + (row - first) * g.tilesW();
            for (int q = 0; q < g.tilesW(); q += LANES) {
                int dst = at + q;
                // row i of Bᵀ d: d0 − d2, d1 + d2, d2 − d1, d1 − d3; then the row's (·) B
                tileRow(strip, even + r0 + q, even + r2 + q, odd - even, true, v, dst, stride);
                tileRow(strip, even + r1 + q, even + r2 + q, odd - even, false, v, dst + 4 * stride, stride);
                tileRow(strip, even + r2 + q, even + r1 + q, odd - even, true, v, dst + 8 * stride, stride);
                tileRow(strip, even + r1 + q, even + r3 + q, odd - even, true, v, dst + 12 * stride, stride);
            }
        }

        /**
         * Row i of {@code (Bᵀ d) B} for {@link #LANES} tiles: {@code t = a ∓ b} of two strip rows in the
         * tile's four columns (even, odd, next even, next odd; the odd columns {@code odd} floats after
         * the even), then {@code [t0 − t2, t1 + t2, t2 − t1, t1 − t3]} into positions {@code 4i … 4i+3}
         * ({@code stride} apart). No vector crosses a method boundary here or in {@link #outputRow}: in a
         * call C2 does not inline (and it stops inlining in a method this long) a vector is boxed.
         */
        private static void tileRow(float[] strip, int a, int b, int odd, boolean subtract, float[] v, int dst, int stride) {
            FloatVector a0 = FloatVector.fromArray(SPECIES, strip, a);
            FloatVector a1 = FloatVector.fromArray(SPECIES, strip, a + odd);
            FloatVector a2 = FloatVector.fromArray(SPECIES, strip, a + 1);
            FloatVector a3 = FloatVector.fromArray(SPECIES, strip, a + odd + 1);
            FloatVector b0 = FloatVector.fromArray(SPECIES, strip, b);
            FloatVector b1 = FloatVector.fromArray(SPECIES, strip, b + odd);
            FloatVector b2 = FloatVector.fromArray(SPECIES, strip, b + 1);
            FloatVector b3 = FloatVector.fromArray(SPECIES, strip, b + odd + 1);
            FloatVector t0 = subtract ? a0.sub(b0) : a0.add(b0);
            FloatVector t1 = subtract ? a1.sub(b1) : a1.add(b1);
            FloatVector t2 = subtract ? a2.sub(b2) : a2.add(b2);
            FloatVector t3 = subtract ? a3.sub(b3) : a3.add(b3);
            t0.sub(t2).intoArray(v, dst);
            t1.add(t2).intoArray(v, dst + stride);
            t2.sub(t1).intoArray(v, dst + 2 * stride);
            t1.sub(t3).intoArray(v, dst + 3 * stride);
        }

        /** {@code M_ξ[panel's MR rows, columns] = U_ξ[panel, C] × V_ξ[C, columns]}, a block of the micro-kernel at a time. */
        private void product(int xi, int panel, float[] v, float[] m) {
            int c = g.channels();
            int ocp = u.paddedOut();
            int aPanel = (xi * ocp + panel * MR) * c;
            int bRow = xi * vPosition();
            int cRow = xi * mPosition() + panel * MR * columns;
            for (int jr = 0; jr < columns; jr += NR) {
                MicroKernel.clear(m, cRow + jr, columns);
                MicroKernel.multiplyAdd(c, u.packed(), aPanel, v, bRow + jr, stride(), m, cRow + jr, columns);
            }
        }

        /**
         * Output channel {@code oc} of tile row {@code row}: {@code Y = Aᵀ M A} of {@link #LANES} tiles at a
         * time, plus the bias, clamped, interleaved into the two output rows it covers, then copied out
         * (the last row and column dropped where OH or OW is odd).
         */
        private void outputTransform(float[] m, int oc, int row, float[] bias, float cap, float[] rows, float[] out) {
            int image = row / g.tilesH();
            int oy = 2 * (row % g.tilesH());
            int stride = mPosition();
            int src = oc * columns + (row - first) * g.tilesW();
            int half = OutputRows.half(g);
            float b = bias == null ? 0f : bias[oc];
            for (int q = 0; q < g.tilesW(); q += LANES) {
                outputRow(m, src + q, stride, 0, b, cap, rows, 2 * q);
                outputRow(m, src + q, stride, 1, b, cap, rows, half + 2 * q);
            }
            int dst = ((image * g.outChannels() + oc) * g.outH() + oy) * g.outW();
            System.arraycopy(rows, 0, out, dst, g.outW());
            if (oy + 1 < g.outH()) {
                System.arraycopy(rows, half, out, dst + g.outW(), g.outW());
            }
        }
    }

    /**
     * Output row {@code r} (0 or 1) of {@code Y = Aᵀ M A} for {@link #LANES} tiles from {@code at}
     * (positions {@code stride} apart), plus {@code bias}, clamped, its two columns interleaved into
     * {@code rows} from {@code to}. With {@code R_i = [m_i0 + m_i1 + m_i2, m_i1 − m_i2 − m_i3]} (row i
     * of M times A): row 0 is {@code R_0 + R_1 + R_2}, row 1 {@code R_1 − R_2 − R_3}.
     */
    private static void outputRow(float[] m, int at, int stride, int r, float bias, float cap, float[] rows, int to) {
        int i0 = at + 4 * r * stride;
        int i1 = i0 + 4 * stride;
        int i2 = i1 + 4 * stride;
        FloatVector m01 = FloatVector.fromArray(SPECIES, m, i0 + stride);
        FloatVector m02 = FloatVector.fromArray(SPECIES, m, i0 + 2 * stride);
        FloatVector m11 = FloatVector.fromArray(SPECIES, m, i1 + stride);
        FloatVector m12 = FloatVector.fromArray(SPECIES, m, i1 + 2 * stride);
        FloatVector m21 = FloatVector.fromArray(SPECIES, m, i2 + stride);
        FloatVector m22 = FloatVector.fromArray(SPECIES, m, i2 + 2 * stride);
        FloatVector s0 = FloatVector.fromArray(SPECIES, m, i0).add(m01).add(m02);
        FloatVector s1 = FloatVector.fromArray(SPECIES, m, i1).add(m11).add(m12);
        FloatVector s2 = FloatVector.fromArray(SPECIES, m, i2).add(m21).add(m22);
        FloatVector d0 = m01.sub(m02).sub(FloatVector.fromArray(SPECIES, m, i0 + 3 * stride));
        FloatVector d1 = m11.sub(m12).sub(FloatVector.fromArray(SPECIES, m, i1 + 3 * stride));
        FloatVector d2 = m21.sub(m22).sub(FloatVector.fromArray(SPECIES, m, i2 + 3 * stride));
        FloatVector b = FloatVector.broadcast(SPECIES, bias);
        FloatVector left = (r == 0 ? s0.add(s1).add(s2) : s0.sub(s1).sub(s2)).add(b);
        FloatVector right = (r == 0 ? d0.add(d1).add(d2) : d0.sub(d1).sub(d2)).add(b);
        if (cap != 0f) {
            FloatVector zero = FloatVector.zero(SPECIES);
            FloatVector top = FloatVector.broadcast(SPECIES, cap);
            left = left.blend(zero, left.compare(VectorOperators.LE, 0f)).blend(top, left.compare(VectorOperators.GE, cap));
            right = right.blend(zero, right.compare(VectorOperators.LE, 0f)).blend(top, right.compare(VectorOperators.GE, cap));
        }
        OutputRows.LOW.selectFrom(left, right).intoArray(rows, to);
        OutputRows.HIGH.selectFrom(left, right).intoArray(rows, to + LANES);
    }

    /** {@code s} clamped to {@code [0, cap]} when {@code cap ≠ 0}, as {@link Elementwise#clamp} does (and {@link #outputRow}). */
    static float finish(float s, float cap) {
        if (cap == 0f) {
            return s;
        }
        return s <= 0f ? 0f : s >= cap ? cap : s;
    }

    /**
     * A thread's scratch for one channel of a tile row: an input row padded with zeros, then the tile
     * row's 4 input rows' even columns, then their odd columns, each {@link #length} floats (the
     * {@code tilesW + 1} a tile row reads, and room for the vectors read from its last tiles on).
     */
    static final class InputStrip {

        /** Lane j of the first: 2j, of the second: 2j + 1; indices past the lanes select from a second vector. */
        private static final FloatVector EVEN = FloatVector.fromArray(SPECIES, lanes(2, 0), 0);
        private static final FloatVector ODD = FloatVector.fromArray(SPECIES, lanes(2, 1), 0);

        private InputStrip() {
        }

        static int length(Geometry g) {
            return Gemm.roundUp(g.tilesW() + 1, LANES) + LANES;
        }

        /** The padded row: twice a strip row, so whole vector pairs can be split from it. */
        static int rowFloats(Geometry g) {
            return 2 * length(g);
        }

        static int floats(Geometry g) {
            return rowFloats(g) + 8 * length(g);
        }

        /**
         * Input row {@code x[src … src + w)} (none when {@code src < 0}) at padded column {@code padW}
         * into ring slot {@code slot}: {@code even[q] = padded[2q]}, {@code odd[q] = padded[2q + 1]} for
         * the {@code tilesW + 1} columns of each a tile row reads, whole vectors at a time. The vectors
         * are read from the input itself where they fit in its array (the columns outside the row then
         * cleared), else from a zero-padded copy of the row.
         */
        static void split(Geometry g, float[] x, int src, float[] strip, int slot) {
            int length = length(g);
            int padded = rowFloats(g);
            int even = padded + slot * length;
            int odd = padded + (4 + slot) * length;
            int span = g.tilesW() + 1;
            int end = Gemm.roundUp(span, LANES);
            if (src < 0) {
                Arrays.fill(strip, even, even + end, 0f);
                Arrays.fill(strip, odd, odd + end, 0f);
                return;
            }
            int from = src - g.padW();
            boolean direct = from >= 0 && from + 2 * end <= x.length;
            if (!direct) {
                Arrays.fill(strip, 0, g.padW(), 0f);
                System.arraycopy(x, src, strip, g.padW(), g.w());
                Arrays.fill(strip, g.padW() + g.w(), 2 * end, 0f);
            }
            float[] row = direct ? x : strip;
            int at = direct ? from : 0;
            for (int q = 0; q < end; q += LANES) {
                FloatVector low = FloatVector.fromArray(SPECIES, row, at + 2 * q);
                FloatVector high = FloatVector.fromArray(SPECIES, row, at + 2 * q + LANES);
                EVEN.selectFrom(low, high).intoArray(strip, even + q);
                ODD.selectFrom(low, high).intoArray(strip, odd + q);
            }
            // padded columns left and right of the row: zero
            for (int p = 0; p < Math.min(g.padW(), 2 * span); p++) {
                strip[(p % 2 == 0 ? even : odd) + p / 2] = 0f;
            }
            for (int p = g.padW() + g.w(); p < 2 * span; p++) {
                strip[(p % 2 == 0 ? even : odd) + p / 2] = 0f;
            }
        }
    }

    /** The two output rows of a tile row, {@link #half} floats apart: Y's columns interleaved. */
    static final class OutputRows {

        /**
         * Y's left and right columns interleaved by {@code LOW.selectFrom(left, right)} and {@code HIGH…}: lane
         * j from left (j even) or right (j odd), lane j / 2 of the lower half, then of the upper.
         */
        static final FloatVector LOW = FloatVector.fromArray(SPECIES, interleaving(0), 0);
        static final FloatVector HIGH = FloatVector.fromArray(SPECIES, interleaving(LANES / 2), 0);

        private OutputRows() {
        }

        static int half(Geometry g) {
            return 2 * Gemm.roundUp(g.tilesW(), LANES);
        }

        private static float[] interleaving(int from) {
            float[] index = new float[LANES];
            for (int j = 0; j < LANES; j++) {
                index[j] = (j % 2 == 0 ? 0 : LANES) + from + j / 2;
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
