package pipeline.images;

/**
 * Decoded 8-bit pixels, planar: {@code values} is {@code [channels, height, width]}, row-major,
 * each byte an unsigned level 0–255; {@code channels} is 1 (grey) or 3 (red, green, blue).
 */
public record Pixels(int width, int height, int channels, byte[] values) implements DecodedImage {

    public Pixels {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("pixels have 1 (grey) or 3 (RGB) channels, not " + channels);
        }
        if (values.length != (long) channels * height * width) {
            throw new IllegalArgumentException("a " + channels + "×" + height + "×" + width + " image holds "
                    + (long) channels * height * width + " values, not " + values.length);
        }
    }
}
