/**
 * The conv-net engine: tensors, layers with forward and backward passes, losses, optimizers and
 * the kernels they run on. Depends on the JDK alone ({@code jdk.incubator.vector}).
 *
 * <p>Dimension legend used in comments throughout: N batch, C channels, H height, W width,
 * K kernel size, OC output channels, OH/OW output height/width, F features, G groups.
 */
package pipeline.convnet;
