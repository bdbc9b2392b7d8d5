package pipeline.bench;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Debian's OpenBLAS {@code cblas_sgemm}, called through the FFM API: the GEMM bar. */
final class OpenBlas {

    /** Where Debian's {@code libopenblas0-pthread} puts the library. */
    static final List<Path> CANDIDATES = List.of(
            Path.of("/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0"),
            Path.of("/usr/lib/x86_64-linux-gnu/libopenblas.so.0"));
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    private final MethodHandle sgemm;
    private final MethodHandle setThreads;

    private OpenBlas(SymbolLookup library) {
        Linker linker = Linker.nativeLinker();
        sgemm = linker.downcallHandle(library.find("cblas_sgemm").orElseThrow(),
                FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_FLOAT,
                        ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT));
        setThreads = linker.downcallHandle(library.find("openblas_set_num_threads").orElseThrow(),
                FunctionDescriptor.ofVoid(JAVA_INT));
    }

    static OpenBlas load() {
        Path path = CANDIDATES.stream().filter(Files::exists).findFirst().orElseThrow(() -> new IllegalStateException(
                "OpenBLAS not found at " + CANDIDATES + "; install Debian's libopenblas0-pthread"));
        return new OpenBlas(SymbolLookup.libraryLookup(path, Arena.global()));
    }

    void threads(int threads) {
        try {
            setThreads.invokeExact(threads);
        } catch (Throwable e) {
            throw new IllegalStateException("openblas_set_num_threads(" + threads + ") failed", e);
        }
    }

    /** {@code C = op(A)·op(B)} on native copies, row-major, as {@code pipeline.convnet.kernel.Gemm}. */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, MemorySegment a, int lda, MemorySegment b, int ldb,
               MemorySegment c, int ldc) {
        try {
            sgemm.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, 1f, a, lda, b, ldb,
                    0f, c, ldc);
        } catch (Throwable e) {
            throw new IllegalStateException("cblas_sgemm failed", e);
        }
    }
}
