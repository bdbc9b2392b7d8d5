/**
 * The inference worker: consumes images, infers in batches and emits one prediction per image in a Kafka transaction.
 */
package pipeline.worker;
