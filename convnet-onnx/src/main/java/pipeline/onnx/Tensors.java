package pipeline.onnx;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import pipeline.convnet.tensor.Shapes;
import pipeline.onnx.proto.Onnx.StringStringEntryProto;
import pipeline.onnx.proto.Onnx.TensorProto;
import pipeline.onnx.proto.Onnx.TensorProto.DataType;

/**
 * ONNX tensors ({@code TensorProto}) to values the importer knows, and back: the typed fields, the
 * little-endian {@code raw_data}, or bytes in a file beside the model ({@code external_data}, for models
 * over protobuf's 2 GB).
 */
final class Tensors {

    private Tensors() {
    }

    /**
     * The tensor's values.
     *
     * @param dir the folder of the model file, where external data lives
     * @throws IOException when its data is missing, short, or in a type the engine has no use for
     */
    static Known read(TensorProto t, Path dir) throws IOException {
        int[] shape = new int[t.getDimsCount()];
        for (int i = 0; i < shape.length; i++) {
            long d = t.getDims(i);
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new IOException("tensor '" + t.getName() + "' has dimension " + d);
            }
            shape[i] = (int) d;
        }
        int n = Shapes.size(shape);
        DataType type = DataType.forNumber(t.getDataType());
        if (type == null) {
            throw new IOException("tensor '" + t.getName() + "' has unknown data type " + t.getDataType());
        }
        ByteBuffer raw = rawBytes(t, dir);
        double[] values = new double[n];
        boolean integer = true;
        switch (type) {
            case FLOAT -> {
                integer = false;
                for (int i = 0; i < n; i++) {
                    values[i] = raw != null ? raw.getFloat(4 * i) : t.getFloatData(i);
                }
            }
            case DOUBLE -> {
                integer = false;
                for (int i = 0; i < n; i++) {
                    values[i] = raw != null ? raw.getDouble(8 * i) : t.getDoubleData(i);
                }
            }
            case FLOAT16 -> {
                integer = false;
                for (int i = 0; i < n; i++) {
                    values[i] = Float.float16ToFloat(raw != null ? raw.getShort(2 * i) : (short) t.getInt32Data(i));
                }
            }
            case BFLOAT16 -> {
                integer = false;
                for (int i = 0; i < n; i++) {
                    int bits = raw != null ? raw.getShort(2 * i) : t.getInt32Data(i);
                    values[i] = Float.intBitsToFloat((bits & 0xffff) << 16);
                }
            }
            case INT64 -> {
                for (int i = 0; i < n; i++) {
                    values[i] = raw != null ? raw.getLong(8 * i) : t.getInt64Data(i);
                }
            }
            case INT32 -> {
                for (int i = 0; i < n; i++) {
                    values[i] = raw != null ? raw.getInt(4 * i) : t.getInt32Data(i);
                }
            }
            case INT16, UINT16 -> {
                for (int i = 0; i < n; i++) {
                    int v = raw != null ? raw.getShort(2 * i) : t.getInt32Data(i);
                    values[i] = type == DataType.UINT16 ? v & 0xffff : (short) v;
                }
            }
            case INT8, UINT8, BOOL -> {
                for (int i = 0; i < n; i++) {
                    int v = raw != null ? raw.get(i) : t.getInt32Data(i);
                    values[i] = type == DataType.INT8 ? (byte) v : v & 0xff;
                }
            }
            case UINT32, UINT64 -> {
                for (int i = 0; i < n; i++) {
                    values[i] = raw != null ? (type == DataType.UINT32 ? raw.getInt(4 * i) & 0xffffffffL : raw.getLong(8 * i))
                            : t.getUint64Data(i);
                }
            }
            default -> throw new IOException("tensor '" + t.getName() + "' holds " + type + ", which the engine does not compute with");
        }
        return new Known(shape, values, null, integer);
    }

    /** The raw bytes, from the message or its external file, little-endian; null when the typed fields hold the values. */
    private static ByteBuffer rawBytes(TensorProto t, Path dir) throws IOException {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            return external(t, dir).order(ByteOrder.LITTLE_ENDIAN);
        }
        return t.hasRawData() ? t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN) : null;
    }

    private static ByteBuffer external(TensorProto t, Path dir) throws IOException {
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto entry : t.getExternalDataList()) {
            switch (entry.getKey()) {
                case "location" -> location = entry.getValue();
                case "offset" -> offset = Long.parseLong(entry.getValue());
                case "length" -> length = Long.parseLong(entry.getValue());
                default -> { }
            }
        }
        if (location == null) {
            throw new IOException("tensor '" + t.getName() + "' keeps its data in an external file but names none");
        }
        Path file = dir.resolve(location).normalize();
        if (!file.startsWith(dir.normalize())) {
            throw new IOException("tensor '" + t.getName() + "' names external data outside the model's folder: " + location);
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException("tensor '" + t.getName() + "' keeps its data in " + file + ", which does not exist");
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long available = in.length() - offset;
            long size = length < 0 ? available : length;
            if (offset < 0 || size > available || size > Integer.MAX_VALUE) {
                throw new IOException("tensor '" + t.getName() + "' wants " + size + " bytes at offset " + offset + " of " + file
                        + ", which holds " + in.length());
            }
            byte[] bytes = new byte[(int) size];
            in.seek(offset);
            in.readFully(bytes);
            return ByteBuffer.wrap(bytes);
        }
    }
}
