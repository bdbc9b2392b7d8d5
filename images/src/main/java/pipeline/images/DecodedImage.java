package pipeline.images;

import java.awt.image.BufferedImage;

/**
 * An image decoded from checked bytes: {@link Pixels} when the fast path read it (8-bit PNGs, straight
 * from the bytes, no {@link BufferedImage}), otherwise the {@link Picture} ImageIO decoded.
 */
public sealed interface DecodedImage permits Pixels, DecodedImage.Picture {

    int width();

    int height();

    /** What ImageIO decoded. */
    record Picture(BufferedImage image) implements DecodedImage {

        @Override
        public int width() {
            return image.getWidth();
        }

        @Override
        public int height() {
            return image.getHeight();
        }
    }
}
