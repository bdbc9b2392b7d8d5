package pipeline.modelstore;

/** A model version failed verification; the message says which check and why. The current model keeps serving. */
public final class ModelRefusedException extends Exception {
    public ModelRefusedException(String message) {
        super(message);
    }
}
