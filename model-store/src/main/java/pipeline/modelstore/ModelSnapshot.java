package pipeline.modelstore;

import pipeline.convnet.model.ModelFile;
import pipeline.convnet.net.ServingNetwork;

/**
 * One verified model version, immutable once built: workers serve it from an atomic reference
 * and swap the whole snapshot between two batches.
 *
 * @param name    model name
 * @param version version number from the {@code models} record
 * @param model   the engine's model
 * @param serving the model's network as it serves (batch-norm folded, ReLU fused, buffers planned): what predicts
 */
public record ModelSnapshot(String name, int version, ModelFile model, ServingNetwork serving) {

    public ModelSnapshot(String name, int version, ModelFile model) {
        this(name, version, model, ServingNetwork.of(model.network()));
    }

    /** Turns images into this model's input. */
    public ModelInput input() {
        return new ModelInput(model);
    }
}
