package pipeline.trainer;

import java.util.Arrays;
import pipeline.convnet.data.Dataset;

/**
 * One labelled image, ready to train on.
 *
 * @param imageId where it came from (the {@code labels} key)
 * @param pixels  the model's unnormalised input, {@code C·H·W} unsigned bytes, which also decide its side of the held-out split
 * @param label   class index
 */
public record Sample(String imageId, byte[] pixels, int label) {

    /** Image {@code index} of {@code data} (its pixels copied) as {@code imageId}, labelled {@code label}. */
    static Sample of(Dataset data, int index, String imageId, int label) {
        int size = data.imageSize();
        return new Sample(imageId, Arrays.copyOfRange(data.pixels(), index * size, (index + 1) * size), label);
    }
}
