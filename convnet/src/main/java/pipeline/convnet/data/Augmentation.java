package pipeline.convnet.data;

/**
 * Training-time augmentation. Geometry: a random crop of the original size from the image zero-padded by
 * {@code cropPadding} pixels on each side, or (when {@code resizedCropScale} is above 0) a random resized
 * crop as torchvision's {@code RandomResizedCrop} makes it — a region of {@code resizedCropScale} to all of
 * the image's area, aspect ratio between ¾ and 4/3, scaled back to the input's size — taken here from the
 * stored image, which is already the input's size; then a horizontal flip with probability ½. Colour:
 * brightness, contrast and (for RGB) saturation each scaled by a random factor in
 * {@code [1 − colourJitter, 1 + colourJitter]}. {@link #NONE} leaves images as they are (evaluation).
 */
public record Augmentation(int cropPadding, boolean horizontalFlip, float resizedCropScale, float colourJitter) {

    public static final Augmentation NONE = new Augmentation(0, false);

    /** Padded crops and flips only. */
    public Augmentation(int cropPadding, boolean horizontalFlip) {
        this(cropPadding, horizontalFlip, 0f, 0f);
    }

    public Augmentation {
        if (cropPadding < 0) {
            throw new IllegalArgumentException("crop padding must be 0 or more; got " + cropPadding);
        }
        if (!(resizedCropScale >= 0 && resizedCropScale < 1)) {
            throw new IllegalArgumentException("a resized crop keeps a fraction in (0, 1) of the area at least (0: none); got "
                    + resizedCropScale);
        }
        if (!(colourJitter >= 0 && colourJitter < 1)) {
            throw new IllegalArgumentException("colour jitter is a fraction in [0, 1); got " + colourJitter);
        }
        if (cropPadding > 0 && resizedCropScale > 0) {
            throw new IllegalArgumentException("a padded crop and a resized crop are two ways to crop; choose one");
        }
    }

    /**
     * From a command line's {@code --augment}: {@code none}, or a comma list of {@code crop} (padding 2),
     * {@code flip}, {@code resized-crop} (scale 0.5 up) and {@code jitter} (0.3).
     *
     * @throws IllegalArgumentException naming the unknown word and the known ones
     */
    public static Augmentation parse(String text) {
        int padding = 0;
        boolean flip = false;
        float scale = 0f;
        float jitter = 0f;
        for (String word : text.split(",")) {
            switch (word.strip()) {
                case "none" -> { }
                case "crop" -> padding = 2;
                case "flip" -> flip = true;
                case "resized-crop" -> scale = 0.5f;
                case "jitter" -> jitter = 0.3f;
                default -> throw new IllegalArgumentException("--augment takes none or a comma list of crop, flip, resized-crop"
                        + " and jitter; got '" + word.strip() + "'");
            }
        }
        return new Augmentation(padding, flip, scale, jitter);
    }
}
