package pipeline.schemas.intake;

/** Why a consumer cannot use a record; the name is the stable error code on {@code images.dlq} and in metrics. */
public enum RefusalReason {
    /** The value is null: a tombstone, or a producer that sent no value. */
    TOMBSTONE,
    /** The value has no bytes. */
    EMPTY_VALUE,
    /** The bytes do not start with the Confluent framing (magic byte 0, 4-byte schema id). */
    NOT_WIRE_FORMAT,
    /** The registry has no schema with the record's id, or not an Avro one. */
    UNKNOWN_SCHEMA,
    /** The schema id names a registered schema of another record type than the topic carries. */
    WRONG_RECORD_TYPE,
    /** The body does not decode with the schema its id names (truncated, corrupted, or written otherwise). */
    UNDECODABLE,
    /** The topic is keyed and the record has no key. */
    MISSING_KEY,
    /** The key is not what the value says it should be (e.g. not the image id the value carries). */
    KEY_MISMATCH,
    /** The record decodes but a field holds a value that makes no sense (an empty id, a negative count, no weights). */
    INVALID_FIELD
}
