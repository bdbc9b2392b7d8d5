package pipeline.convnet.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pipeline.convnet.data.Normalisation;
import pipeline.convnet.data.Resize;
import pipeline.convnet.net.Network;
import pipeline.convnet.net.NetworkSpec;

/**
 * A trained model, self-described: architecture (the spec text), every weight and batch-norm
 * statistic, class names, input shape, how images become its input (normalisation, {@link Resize})
 * and {@link ModelInfo}.
 *
 * <pre>
 * "CONVNET\u001a"        magic, 8 bytes
 * int32 format version   currently 2; 1 is read too
 * UTF-8 header           name, version, parent, created-at, classes, normalisation, resize (stretch when
 *                        absent), metrics
 * UTF-8 spec             the network spec text; the input shape is its first line. Version 2: a graph
 *                        (named lines, from=, add, concat, …); version 1 held chains and residual blocks only
 * int32 count, then per tensor: name, rank, dims, float32 values (named by node: layer3.weight)
 * 32 bytes               SHA-256 of everything above
 * </pre>
 * Integers and floats are big-endian; strings are an int32 length and UTF-8 bytes. Floats are
 * stored as their exact bits, so save → load is bit-exact.
 */
public record ModelFile(Network network, Normalisation normalisation, List<String> classNames, ModelInfo info, Resize resize) {

    public static final int FORMAT_VERSION = 2;
    /** The oldest format this engine reads: version 1's chains are graphs whose nodes have the same names. */
    public static final int OLDEST_FORMAT_READ = 1;
    private static final byte[] MAGIC = "CONVNET\u001a".getBytes(StandardCharsets.ISO_8859_1);
    private static final int DIGEST_SIZE = 32;

    /** A model whose images are stretched whole to its input size. */
    public ModelFile(Network network, Normalisation normalisation, List<String> classNames, ModelInfo info) {
        this(network, normalisation, classNames, info, Resize.STRETCH);
    }

    public ModelFile {
        classNames = List.copyOf(classNames);
        if (classNames.size() != network.classes()) {
            throw new IllegalArgumentException(classNames.size() + " class names for a network with "
                    + network.classes() + " outputs");
        }
    }

    /** This model described by {@code newInfo} (a new version of it, say), all else the same. */
    public ModelFile withInfo(ModelInfo newInfo) {
        return new ModelFile(network, normalisation, classNames, newInfo, resize);
    }

    public void write(Path file) throws IOException {
        Files.write(file, toBytes());
    }

    public static ModelFile read(Path file) throws IOException {
        return fromBytes(Files.readAllBytes(file), file.toString());
    }

    public byte[] toBytes() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.write(MAGIC);
            out.writeInt(FORMAT_VERSION);
            writeString(out, header());
            writeString(out, network.spec());
            List<Network.NamedTensor> state = network.state();
            out.writeInt(state.size());
            for (Network.NamedTensor t : state) {
                writeString(out, t.name());
                out.writeInt(t.shape().length);
                for (int d : t.shape()) {
                    out.writeInt(d);
                }
                for (float v : t.values()) {
                    out.writeInt(Float.floatToRawIntBits(v));
                }
            }
            out.write(sha256(buffer.toByteArray(), buffer.size()));
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return buffer.toByteArray();
    }

    /** Whether the bytes start as an engine model file does (an ONNX file, say, does not). */
    public static boolean startsAsModelFile(byte[] bytes) {
        return bytes.length >= MAGIC.length && Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /**
     * Reads a model from its bytes; {@code source} names it in errors (a file name, a Kafka record).
     *
     * @throws IOException when the bytes are not a model file, are damaged or truncated, or do not fit their architecture
     */
    public static ModelFile fromBytes(byte[] bytes, String source) throws IOException {
        if (bytes.length < MAGIC.length + 4 + DIGEST_SIZE || !startsAsModelFile(bytes)) {
            throw new IOException(source + " is not a model file: it does not start with the CONVNET header");
        }
        int bodyLength = bytes.length - DIGEST_SIZE;
        if (!Arrays.equals(sha256(bytes, bodyLength), 0, DIGEST_SIZE, bytes, bodyLength, bytes.length)) {
            throw new IOException(source + " is damaged or truncated: its SHA-256 checksum does not match its contents");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, MAGIC.length, bodyLength - MAGIC.length))) {
            int format = in.readInt();
            if (format < OLDEST_FORMAT_READ || format > FORMAT_VERSION) {
                throw new IOException(source + " has model format version " + format + "; this engine reads versions "
                        + OLDEST_FORMAT_READ + " to " + FORMAT_VERSION);
            }
            Map<String, String> header = parseHeader(readString(in));
            Network network;
            try {
                network = NetworkSpec.parse(readString(in), 1);
            } catch (IllegalArgumentException e) {
                throw new IOException(source + ": its architecture does not parse: " + e.getMessage(), e);
            }
            List<Network.NamedTensor> state = network.state();
            int count = in.readInt();
            if (count != state.size()) {
                throw new IOException(source + " holds " + count + " tensors but its architecture has " + state.size());
            }
            for (Network.NamedTensor expected : state) {
                String name = readString(in);
                int[] shape = new int[in.readInt()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = in.readInt();
                }
                if (!name.equals(expected.name()) || !Arrays.equals(shape, expected.shape())) {
                    throw new IOException(source + ": tensor " + name + Arrays.toString(shape) + " does not fit the architecture's "
                            + expected.name() + Arrays.toString(expected.shape()));
                }
                for (int i = 0; i < expected.values().length; i++) {
                    expected.values()[i] = Float.intBitsToFloat(in.readInt());
                }
            }
            return fromHeader(header, network, source);
        } catch (EOFException e) {
            throw new IOException(source + " is truncated", e);
        }
    }

    private String header() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("name", info.name());
        h.put("version", Integer.toString(info.version()));
        h.put("parent", info.parentVersion() == null ? "" : info.parentVersion().toString());
        h.put("created-at", info.createdAt().toString());
        h.put("normalisation.mean", floats(normalisation.mean()));
        h.put("normalisation.std", floats(normalisation.std()));
        h.put("resize", resize.text());
        for (int i = 0; i < classNames.size(); i++) {
            h.put("class." + i, classNames.get(i));
        }
        info.metrics().forEach((k, v) -> h.put("metric." + k, Double.toString(v)));
        StringBuilder text = new StringBuilder();
        h.forEach((k, v) -> text.append(k).append('=').append(v.replace("\n", " ")).append('\n'));
        return text.toString();
    }

    private static ModelFile fromHeader(Map<String, String> h, Network network, String source) throws IOException {
        try {
            List<String> classes = new ArrayList<>();
            for (int i = 0; h.containsKey("class." + i); i++) {
                classes.add(h.get("class." + i));
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            h.forEach((k, v) -> {
                if (k.startsWith("metric.")) {
                    metrics.put(k.substring("metric.".length()), Double.parseDouble(v));
                }
            });
            String parent = h.getOrDefault("parent", "");
            ModelInfo info = new ModelInfo(h.get("name"), Integer.parseInt(h.get("version")),
                    parent.isEmpty() ? null : Integer.parseInt(parent), Instant.parse(h.get("created-at")), metrics);
            Normalisation normalisation = new Normalisation(parseFloats(h.get("normalisation.mean")),
                    parseFloats(h.get("normalisation.std")));
            return new ModelFile(network, normalisation, classes, info, Resize.parse(h.getOrDefault("resize", "stretch")));
        } catch (RuntimeException e) {
            throw new IOException(source + " has a header this engine cannot read: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> parseHeader(String text) {
        Map<String, String> h = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                h.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return h;
    }

    private static String floats(float[] values) {
        StringBuilder text = new StringBuilder();
        for (float v : values) {
            text.append(text.isEmpty() ? "" : ",").append(v);
        }
        return text.toString();
    }

    private static float[] parseFloats(String text) {
        String[] parts = text.split(",");
        float[] values = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = Float.parseFloat(parts[i]);
        }
        return values;
    }

    private static void writeString(DataOutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
            throw new EOFException("a string of " + length + " bytes runs past the end");
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static byte[] sha256(byte[] bytes, int length) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes, 0, length);
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
