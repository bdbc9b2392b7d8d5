package pipeline.worker;

import pipeline.convnet.data.ImageInput;
import pipeline.convnet.model.ModelFile;

/**
 * One verified model version, immutable once built: workers serve it from an atomic reference
 * and swap the whole snapshot between two batches.
 *
 * @param name    model name
 * @param version version number from the {@code models} record
 * @param model   the engine's model
 */
public record ModelSnapshot(String name, int version, ModelFile model) {

    /** Turns images into this model's input. */
    public ImageInput input() {
        return new ImageInput(model.network().input(), model.normalisation());
    }
}
