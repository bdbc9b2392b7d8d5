package pipeline.schemas.registry;

/** The compatibility levels of the Confluent API; the project's subjects use {@link #BACKWARD}. */
public enum Compatibility {
    NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE
}
