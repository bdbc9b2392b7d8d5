package pipeline.trainer;

/** A training round stopped before its end because the trainer is shutting down; nothing of it is published. */
public final class RoundCancelledException extends RuntimeException {

    public RoundCancelledException(int step, int steps) {
        super("training round cancelled at step " + step + " of " + steps + " for shutdown");
    }
}
