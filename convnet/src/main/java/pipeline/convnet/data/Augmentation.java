package pipeline.convnet.data;

/**
 * Training-time augmentation: a random crop of the original size from the image zero-padded by
 * {@code cropPadding} pixels on each side, and a horizontal flip with probability ½.
 * {@link #NONE} leaves images as they are (evaluation).
 */
public record Augmentation(int cropPadding, boolean horizontalFlip) {

    public static final Augmentation NONE = new Augmentation(0, false);

    public Augmentation {
        if (cropPadding < 0) {
            throw new IllegalArgumentException("crop padding must be 0 or more; got " + cropPadding);
        }
    }
}
