package pipeline.trainer;

import java.util.Arrays;
import pipeline.convnet.data.Dataset;

/**
 * One labelled image, ready to train on.
 *
 * @param imageId where it came from (the {@code labels} key)
 * @param pixels  the model's unnormalised input, {@code C·H·W} unsigned bytes, which also decide its side of the held-out split
 * @param label   its class's name: one of the served model's classes, or a new one when the trainer grows the model
 */
public record Sample(String imageId, byte[] pixels, String label) {

    /** Image {@code index} of {@code data} (its pixels copied) as {@code imageId}, labelled with class {@code label} of {@code data}. */
    static Sample of(Dataset data, int index, String imageId, int label) {
        int size = data.imageSize();
        return new Sample(imageId, Arrays.copyOfRange(data.pixels(), index * size, (index + 1) * size), data.classNames().get(label));
    }
}
