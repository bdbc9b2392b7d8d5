/**
 * Kafka serializers, deserializers and serdes for Avro records in the Confluent wire format:
 * magic byte 0, the 4-byte big-endian schema id, then Avro binary. Null in, null out (tombstones).
 */
package pipeline.schemas.serde;
