/**
 * The trainer: joins feedback into labels, fine-tunes on the labelled stream, and publishes versions that beat the current one.
 */
package pipeline.trainer;
