package pipeline.schemas.serde;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/** The Confluent framing around an Avro body: {@code [0x00][schema id: int32 big-endian][Avro binary]}. */
public final class WireFormat {

    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    private WireFormat() {
    }

    /** The schema id of a framed record, after checking the magic byte. */
    public static int schemaId(byte[] framed, String topic) {
        if (framed.length < HEADER_SIZE) {
            throw new SerializationException("A record on topic " + topic + " has " + framed.length
                    + " bytes; the Confluent wire format needs at least " + HEADER_SIZE + " (magic byte and schema id)");
        }
        if (framed[0] != MAGIC_BYTE) {
            throw new SerializationException(String.format(
                    "A record on topic %s starts with byte 0x%02x; the Confluent wire format starts with magic byte 0x00."
                            + " Was it written by another serializer?", topic, framed[0]));
        }
        return ByteBuffer.wrap(framed, 1, 4).getInt();
    }

    static void writeHeader(ByteBuffer target, int schemaId) {
        target.put(MAGIC_BYTE).putInt(schemaId);
    }
}
