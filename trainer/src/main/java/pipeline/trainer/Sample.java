package pipeline.trainer;

/**
 * One labelled image, ready to train on.
 *
 * @param imageId where it came from (the {@code labels} key), which also decides its side of the held-out split
 * @param pixels  the model's unnormalised input, {@code C·H·W} unsigned bytes
 * @param label   class index
 */
public record Sample(String imageId, byte[] pixels, int label) {
}
