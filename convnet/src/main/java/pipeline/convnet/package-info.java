/**
 * The conv-net engine: tensors, layers, training, model files. Depends on the JDK alone (jdk.incubator.vector).
 */
package pipeline.convnet;
