/**
 * What every consumer in the system does with a record before it uses it: read it as the topic's
 * Avro type and check its fields, or say in one refusal why it cannot be used. One place decides,
 * so a tombstone, foreign bytes or an absurd value is data for every service, never a crash.
 */
package pipeline.schemas.intake;
