package pipeline.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import pipeline.convnet.kernel.Gemm;

/** SGEMM shapes, square and as ResNet-20's convolutions issue them at batch 128, on both engines. */
final class GemmCases {

    /** {@code op(A)[m×k] · op(B)[k×n]} and what the shape is. */
    record Shape(int m, int n, int k, boolean transA, boolean transB, String name) {
        double gflop() {
            return 2.0 * m * n * k / 1e9;
        }
    }

    static final Shape[] SHAPES = {
            new Shape(256, 256, 256, false, false, "256³"),
            new Shape(512, 512, 512, false, false, "512³"),
            new Shape(1024, 1024, 1024, false, false, "1024³"),
            new Shape(1024, 1024, 1024, false, true, "1024³, B transposed"),
            new Shape(16, 100352, 144, false, false, "conv 16→16 @28 forward (W × cols)"),
            new Shape(16, 144, 100352, false, true, "conv 16→16 @28 weight gradient (dOut × colsᵀ)"),
            new Shape(64, 6272, 576, false, false, "conv 64→64 @7 forward"),
            new Shape(576, 6272, 64, true, false, "conv 64→64 @7 input gradient (Wᵀ × dOut)")};

    private GemmCases() {
    }

    /** GFLOP/s of the engine's GEMM on this shape. */
    static double engine(Shape s, double seconds) throws Exception {
        float[] a = random(s.m() * s.k(), 1);
        float[] b = random(s.k() * s.n(), 2);
        float[] c = new float[s.m() * s.n()];
        int lda = s.transA() ? s.m() : s.k();
        int ldb = s.transB() ? s.k() : s.n();
        return Rate.callsPerSecond(() -> Gemm.gemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), 1f, a, 0, lda, b, 0, ldb,
                0f, c, 0, s.n()), seconds) * s.gflop();
    }

    /** GFLOP/s of OpenBLAS on the same shape, operands in native memory. */
    static double openBlas(OpenBlas blas, Shape s, double seconds) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocateFrom(ValueLayout.JAVA_FLOAT, random(s.m() * s.k(), 1));
            MemorySegment b = arena.allocateFrom(ValueLayout.JAVA_FLOAT, random(s.k() * s.n(), 2));
            MemorySegment c = arena.allocate(ValueLayout.JAVA_FLOAT, (long) s.m() * s.n());
            int lda = s.transA() ? s.m() : s.k();
            int ldb = s.transB() ? s.k() : s.n();
            return Rate.callsPerSecond(() -> blas.sgemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), a, lda, b, ldb, c, s.n()),
                    seconds) * s.gflop();
        }
    }

    private static float[] random(int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) (random.nextDouble() - 0.5);
        }
        return values;
    }
}
