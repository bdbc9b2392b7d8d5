package pipeline.convnet.data;

import java.io.IOException;
import java.util.ServiceLoader;

/**
 * How image files become a model's input pixels when a dataset is read from folders. The engine's own
 * reads what ImageIO reads; a service on the class path replaces it (the {@code model-store} module's:
 * the checks the running system applies, EXIF orientation, TIFF, WebP, CMYK JPEG), so a model is
 * trained on images decoded exactly as it will be served them.
 */
public interface ImageFiles {

    /**
     * The file's image as the model's unnormalised input {@code [C, H, W]}, 0–255, as {@code input}
     * converts and resizes it.
     *
     * @param source names the file in errors
     * @throws IOException when the bytes are not an image this reader decodes, naming why
     */
    byte[] pixels(byte[] bytes, String source, ImageInput input) throws IOException;

    /** The reader on the class path, else ImageIO's. */
    static ImageFiles available() {
        return ServiceLoader.load(ImageFiles.class).findFirst()
                .orElse((bytes, source, input) -> input.pixels(ImageInput.decode(bytes, source)));
    }
}
