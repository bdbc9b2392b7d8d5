package pipeline.schemas.intake;

/** What a consumer makes of one record: a value it can use, or the refusal that says why not. */
public sealed interface Intake<T> {

    /** A record that decoded as the topic's type and passed its field checks. */
    record Accepted<T>(T value) implements Intake<T> {
    }

    /** A record no consumer can use; the consumer dead-letters it or skips it, and moves on. */
    record Refused<T>(Refusal refusal) implements Intake<T> {
    }
}
