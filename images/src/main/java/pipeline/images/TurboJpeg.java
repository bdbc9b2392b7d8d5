package pipeline.images;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * JPEG through libjpeg-turbo's TurboJPEG API (Debian's {@code libturbojpeg0}), called with the JDK's
 * foreign function API when the library is installed: SIMD decoding, and DCT-domain scaling, so a
 * photo that only has to feed a 224×224 input decodes straight to half (or an eighth of) its size,
 * each output pixel the mean of the block it covers. Without the library, JPEGs go to ImageIO.
 *
 * <p>A TurboJPEG handle is not thread-safe: each decoding thread keeps its own for its life (the
 * decoding threads are pools that live as long as the service).
 */
final class TurboJpeg {

    /** {@code TJPF_RGB}, {@code TJPF_GRAY}: the pixel formats decoded to. */
    private static final int RGB = 0;
    private static final int GREY = 6;
    /** {@code TJCS_GRAY}, and {@code TJCS_CMYK}, {@code TJCS_YCCK}: colour spaces left to ImageIO. */
    private static final int COLOURSPACE_GREY = 2;
    private static final int COLOURSPACE_CMYK = 3;
    private static final int COLOURSPACE_YCCK = 4;

    /** The size of TurboJPEG's error message buffer. */
    private static final int JMSG_LENGTH_MAX = 200;

    private static final Optional<TurboJpeg> LIBRARY = load();

    private final MethodHandle init;
    private final MethodHandle header;
    private final MethodHandle decompress;
    private final MethodHandle error;
    private final ThreadLocal<MemorySegment> handles;

    private TurboJpeg(SymbolLookup library) {
        Linker linker = Linker.nativeLinker();
        init = linker.downcallHandle(library.find("tjInitDecompress").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS));
        header = linker.downcallHandle(library.find("tjDecompressHeader3").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        decompress = linker.downcallHandle(library.find("tjDecompress2").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        error = linker.downcallHandle(library.find("tjGetErrorStr2").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS.withTargetLayout(ValueLayout.JAVA_BYTE), ValueLayout.ADDRESS));
        handles = ThreadLocal.withInitial(this::newHandle);
    }

    /** The library, when it is installed. */
    static Optional<TurboJpeg> library() {
        return LIBRARY;
    }

    private static Optional<TurboJpeg> load() {
        try {
            return Optional.of(new TurboJpeg(SymbolLookup.libraryLookup("libturbojpeg.so.0", Arena.global())));
        } catch (IllegalArgumentException | UnsupportedOperationException | IllegalCallerException e) {
            return Optional.empty();
        }
    }

    /**
     * The JPEG's pixels, decoded at the smallest size {@code M/8} of the original (M of 1, 2, 4 or 8) whose
     * sides are still at least {@code minWidth} and {@code minHeight} (or the full size); {@code null} for
     * the colour spaces left to ImageIO (CMYK, YCCK).
     *
     * @throws ImageProbe.RejectedImage when the bytes are damaged, cut short or not a JPEG TurboJPEG reads
     */
    Pixels decode(byte[] jpeg, long maxPixels, int minWidth, int minHeight) throws ImageProbe.RejectedImage {
        MemorySegment handle = handles.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocate(jpeg.length);
            MemorySegment.copy(jpeg, 0, bytes, ValueLayout.JAVA_BYTE, 0, jpeg.length);
            MemorySegment dims = arena.allocate(ValueLayout.JAVA_INT, 4);
            int status = (int) header.invokeExact(handle, bytes, (long) jpeg.length, dims, dims.asSlice(4), dims.asSlice(8),
                    dims.asSlice(12));
            if (status != 0) {
                throw damaged(handle);
            }
            int width = dims.getAtIndex(ValueLayout.JAVA_INT, 0);
            int height = dims.getAtIndex(ValueLayout.JAVA_INT, 1);
            int colourspace = dims.getAtIndex(ValueLayout.JAVA_INT, 3);
            if (width < 1 || height < 1 || (long) width * height > maxPixels) {
                throw new ImageProbe.RejectedImage(ImageProbe.RejectedImage.Reason.IMAGE_TOO_LARGE, "the JPEG declares "
                        + width + "×" + height + " pixels; at most " + maxPixels + " are accepted");
            }
            if (colourspace == COLOURSPACE_CMYK || colourspace == COLOURSPACE_YCCK) {
                return null;
            }
            int eighths = 8;
            while (eighths > 1 && scaled(width, eighths / 2) >= minWidth && scaled(height, eighths / 2) >= minHeight) {
                eighths /= 2;
            }
            int w = scaled(width, eighths);
            int h = scaled(height, eighths);
            int channels = colourspace == COLOURSPACE_GREY ? 1 : 3;
            MemorySegment out = arena.allocate((long) w * h * channels);
            status = (int) decompress.invokeExact(handle, bytes, (long) jpeg.length, out, w, w * channels, h,
                    channels == 1 ? GREY : RGB, 0);
            if (status != 0) {
                throw damaged(handle);
            }
            return new Pixels(w, h, channels, planar(out, w * h, channels));
        } catch (ImageProbe.RejectedImage | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("calling libturbojpeg failed", e);
        }
    }

    /** {@code TJSCALED}: a side scaled by {@code eighths}/8, rounded up. */
    private static int scaled(int side, int eighths) {
        return (side * eighths + 7) / 8;
    }

    /** Interleaved samples ({@code RGBRGB…} or grey) to planes. */
    private static byte[] planar(MemorySegment interleaved, int plane, int channels) {
        byte[] samples = interleaved.toArray(ValueLayout.JAVA_BYTE);
        if (channels == 1) {
            return samples;
        }
        byte[] planes = new byte[samples.length];
        for (int p = 0; p < plane; p++) {
            planes[p] = samples[3 * p];
            planes[plane + p] = samples[3 * p + 1];
            planes[2 * plane + p] = samples[3 * p + 2];
        }
        return planes;
    }

    /** libjpeg-turbo's own words for what went wrong, warnings included (a JPEG cut short decodes grey below the cut). */
    private ImageProbe.RejectedImage damaged(MemorySegment handle) throws Throwable {
        MemorySegment message = (MemorySegment) error.invokeExact(handle);
        return new ImageProbe.RejectedImage(ImageProbe.RejectedImage.Reason.UNDECODABLE_IMAGE, "the JPEG is damaged: "
                + message.reinterpret(JMSG_LENGTH_MAX).getString(0));
    }

    private MemorySegment newHandle() {
        try {
            MemorySegment handle = (MemorySegment) init.invokeExact();
            if (handle.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("libturbojpeg could not make a decompressor");
            }
            return handle;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("calling libturbojpeg failed", e);
        }
    }
}
