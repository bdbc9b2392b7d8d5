package pipeline.convnet.train;

/** The loss became NaN or infinite; the message names the step, so the run can be reproduced and the rate lowered. */
public final class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
