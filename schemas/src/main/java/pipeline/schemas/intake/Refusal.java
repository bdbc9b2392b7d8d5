package pipeline.schemas.intake;

/** Why one record cannot be used: a stable reason and a message naming what was wrong and what was expected. */
public record Refusal(RefusalReason reason, String message) {

    /** The error code for dead letters and metrics. */
    public String code() {
        return reason.name();
    }
}
