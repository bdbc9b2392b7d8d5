/** Operations: the one-command local stack (broker, registry, topics, schemas) and the {@code pipeline} command. */
package pipeline.ops;
