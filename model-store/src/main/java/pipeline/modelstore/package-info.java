/**
 * Model versions on the {@code models} topic: how a model file becomes a record ({@link
 * pipeline.modelstore.ModelRecords}) and what a record must pass before a service uses it ({@link
 * pipeline.modelstore.ModelVerifier}). Shared by the workers, the trainer and the local stack.
 */
package pipeline.modelstore;
