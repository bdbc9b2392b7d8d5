package pipeline.modelstore;

import java.io.IOException;
import pipeline.convnet.data.ImageFiles;
import pipeline.convnet.data.ImageInput;
import pipeline.images.ImageProbe;

/**
 * The engine's dataset files decoded as the running system decodes images ({@link ImageProbe}: every
 * format it takes, EXIF orientation, transparency on white, CMYK converted, damaged files refused), so a
 * model trained on a folder sees its images as it will be served them. Found by the engine through
 * {@link java.util.ServiceLoader} when this module is on the class path.
 */
public final class ProbedImageFiles implements ImageFiles {

    /** Local files a team chose: a scanner's 16k×16k page is still an image. */
    private static final ImageProbe PROBE = new ImageProbe(16_384L * 16_384);

    @Override
    public byte[] pixels(byte[] bytes, String source, ImageInput input) throws IOException {
        int[] least = input.leastSource();
        try {
            return ModelInput.pixels(input, PROBE.decode(bytes, least[1], least[0]));
        } catch (ImageProbe.RejectedImage e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
