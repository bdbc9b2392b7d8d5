package pipeline.modelstore;

import java.util.List;
import pipeline.convnet.data.ImageInput;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.tensor.Tensor;
import pipeline.images.DecodedImage;
import pipeline.images.ImageProbe;
import pipeline.images.Pixels;

/**
 * Decoded images into one model's input, as its file says: converted to its channels, resized to its
 * height and width (stretched, or centre-cropped), normalised. Pixels from the fast path go straight into the batch tensor.
 */
public final class ModelInput {

    private final ImageInput input;
    private final int[] shape;
    /** {@code [height, width]}: the least an image may decode at to feed the model without upscaling. */
    private final int[] leastSource;

    public ModelInput(ModelFile model) {
        this.shape = model.network().input();
        this.input = new ImageInput(shape, model.normalisation(), model.resize());
        this.leastSource = model.resize().leastSource(shape[1], shape[2]);
    }

    /**
     * Decodes untrusted image bytes no larger than this model needs them (a JPEG at the smallest DCT
     * scale whose pixels still cover the model's input, as its resize policy takes it).
     */
    public DecodedImage decode(ImageProbe probe, byte[] bytes) throws ImageProbe.RejectedImage {
        return probe.decode(bytes, leastSource[1], leastSource[0]);
    }

    /** A batch {@code [N, C, H, W]} of the images, in order. */
    public Tensor batch(List<? extends DecodedImage> images) {
        Tensor batch = emptyBatch(images.size());
        for (int i = 0; i < images.size(); i++) {
            write(batch, i, images.get(i));
        }
        return batch;
    }

    /** A batch {@code [n, C, H, W]} of zeros, for {@link #write} to fill, from several threads if need be. */
    public Tensor emptyBatch(int n) {
        return Tensor.zeros(n, shape[0], shape[1], shape[2]);
    }

    /** Writes {@code image} as item {@code index} of {@code batch} {@code [N, C, H, W]}: converted, resized, normalised. */
    public void write(Tensor batch, int index, DecodedImage image) {
        switch (image) {
            case Pixels p -> input.write(batch, index, p.values(), p.channels(), p.height(), p.width());
            case DecodedImage.Picture(var picture) -> input.write(batch, index, picture);
        }
    }

    /** The image as the model's unnormalised input {@code [C, H, W]}, 0–255: a dataset's layout. */
    public byte[] pixels(DecodedImage image) {
        return pixels(input, image);
    }

    /** {@code image} as {@code input}'s unnormalised pixels {@code [C, H, W]}. */
    static byte[] pixels(ImageInput input, DecodedImage image) {
        return switch (image) {
            case Pixels p -> input.pixels(p.values(), p.channels(), p.height(), p.width());
            case DecodedImage.Picture(var picture) -> input.pixels(picture);
        };
    }
}
