package pipeline.convnet.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The IDX format of MNIST and Fashion-MNIST: {@code 0x00 0x00}, a type byte ({@code 0x08} = unsigned
 * bytes), the number of dimensions, each dimension as a big-endian int32, then the values. Files may
 * be gzipped (recognised by their first bytes, not their name).
 *
 * @param dims   e.g. {@code [60000, 28, 28]} for images, {@code [60000]} for labels
 * @param values the unsigned bytes, row-major
 */
public record Idx(int[] dims, byte[] values) {

    private static final int UNSIGNED_BYTE = 0x08;

    /** Reads an IDX file of unsigned bytes; a truncated, foreign or other-typed file is refused naming the file. */
    public static Idx read(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            DataInputStream in = new DataInputStream(gzip ? new GZIPInputStream(raw, 1 << 16) : raw);
            int magic = in.readInt();
            if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != UNSIGNED_BYTE) {
                throw new IOException(file + " is not an IDX file of unsigned bytes: it starts with 0x"
                        + String.format("%08x", magic) + ", expected 0x000008 followed by the number of dimensions");
            }
            int rank = magic & 0xff;
            if (rank < 1 || rank > 4) {
                throw new IOException(file + " declares " + rank + " dimensions; expected 1 (labels) to 4");
            }
            int[] dims = new int[rank];
            long size = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = in.readInt();
                if (dims[i] < 0) {
                    throw new IOException(file + " declares a negative dimension " + dims[i]);
                }
                size *= dims[i];
            }
            if (size > Integer.MAX_VALUE - 8) {
                throw new IOException(file + " declares " + size + " values, more than one array can hold");
            }
            byte[] values = new byte[(int) size];
            in.readFully(values);
            return new Idx(dims, values);
        } catch (EOFException e) {
            throw new IOException(file + " is truncated: it ends before the values its header declares", e);
        }
    }

    /** Writes gzipped IDX (the {@code .gz} form the datasets ship in). */
    public void writeGzip(Path file) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
             DataOutputStream out = new DataOutputStream(new GZIPOutputStream(raw, 1 << 16))) {
            out.writeInt((UNSIGNED_BYTE << 8) | dims.length);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(values);
        }
    }
}
