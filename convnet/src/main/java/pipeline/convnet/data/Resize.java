package pipeline.convnet.data;

import java.util.Locale;

/**
 * How an image of any size becomes a model's {@code H×W}, as the model was trained to see it: the
 * whole image stretched to fit, or the centre cropped at the model's aspect ratio — torchvision's
 * classifiers are evaluated on {@code Resize(256)} then {@code CenterCrop(224)}, which is
 * {@code centre-crop:0.875} here (the crop is 0.875 of the resized shorter side).
 */
public sealed interface Resize {

    /** Every image stretched whole to the model's size (aspect ratio not kept): the engine's default. */
    Resize STRETCH = new Stretch();

    /** The part of a source image that becomes the model's input, in source pixels (fractions allowed). */
    record Region(double x, double y, double width, double height) {}

    /** The region of a {@code sourceHeight×sourceWidth} image that maps onto a {@code height×width} input. */
    Region region(int sourceHeight, int sourceWidth, int height, int width);

    /** As model files and command lines write it: {@code stretch}, {@code centre-crop:0.875}. */
    String text();

    /**
     * The least {@code [height, width]} a source may be decoded at (a JPEG decodes at a fraction of its size)
     * for the region this policy takes of it to hold at least {@code height×width} pixels: no upscaling.
     */
    int[] leastSource(int height, int width);

    record Stretch() implements Resize {
        @Override
        public Region region(int sourceHeight, int sourceWidth, int height, int width) {
            return new Region(0, 0, sourceWidth, sourceHeight);
        }

        @Override
        public String text() {
            return "stretch";
        }

        @Override
        public int[] leastSource(int height, int width) {
            return new int[] {height, width};
        }
    }

    /**
     * The image scaled, aspect ratio kept, until the model's input covers {@code fraction} of it on the
     * tighter side, then the input's size cut from the centre. {@code fraction} 1 crops just the excess
     * of the longer side.
     */
    record CentreCrop(double fraction) implements Resize {
        public CentreCrop {
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("a centre crop keeps a fraction of the image in (0, 1]; got " + fraction);
            }
        }

        @Override
        public Region region(int sourceHeight, int sourceWidth, int height, int width) {
            // Output pixels per source pixel: the input's side over the kept fraction of the source's.
            double scale = Math.max(height / (fraction * sourceHeight), width / (fraction * sourceWidth));
            double w = width / scale;
            double h = height / scale;
            return new Region((sourceWidth - w) / 2, (sourceHeight - h) / 2, w, h);
        }

        @Override
        public String text() {
            return "centre-crop:" + fraction;
        }

        @Override
        public int[] leastSource(int height, int width) {
            // Both sides at least input/fraction: the scale in region() is then at most 1.
            return new int[] {(int) Math.ceil(height / fraction), (int) Math.ceil(width / fraction)};
        }
    }

    /**
     * {@code stretch}, {@code centre-crop} (fraction 1) or {@code centre-crop:F}, F in (0, 1].
     *
     * @throws IllegalArgumentException naming what was given and what is expected
     */
    static Resize parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT).replace("center", "centre");
        if (t.equals("stretch")) {
            return STRETCH;
        }
        if (t.equals("centre-crop")) {
            return new CentreCrop(1);
        }
        if (t.startsWith("centre-crop:")) {
            try {
                return new CentreCrop(Double.parseDouble(t.substring("centre-crop:".length())));
            } catch (NumberFormatException e) {
                throw invalid(text);
            }
        }
        throw invalid(text);
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("resize takes stretch, centre-crop or centre-crop:F with F in (0, 1]"
                + " (torchvision's Resize(256) + CenterCrop(224) is centre-crop:0.875); got '" + text + "'");
    }
}
