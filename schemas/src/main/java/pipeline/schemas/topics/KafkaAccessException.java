package pipeline.schemas.topics;

import java.util.Optional;
import org.apache.kafka.common.errors.AuthorizationException;

/** A service may not do on the cluster what it needs to; the message names each operation and resource, and how to grant them. */
public final class KafkaAccessException extends RuntimeException {

    /** How to grant what is missing, the end of every message. */
    static final String GRANT = "grant the ACLs it needs (./pipeline provision --acls, or kafka-acls.sh: see docs/security.md)";

    public KafkaAccessException(String message) {
        super(message);
    }

    /**
     * What a client's refusal means for a {@code service} ({@code "inference-worker"}): Kafka's message names the
     * group, transactional id or topics it may not use.
     */
    public static KafkaAccessException refused(String service, AuthorizationException refusal) {
        return new KafkaAccessException("Kafka refused the " + service + "'s principal: " + refusal.getMessage() + "; " + GRANT);
    }

    /** The refusal behind {@code error} (itself or one of its causes, as Kafka Streams wraps them), if a refusal it was. */
    public static Optional<KafkaAccessException> behind(String service, Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof AuthorizationException refusal) {
                return Optional.of(refused(service, refusal));
            }
        }
        return Optional.empty();
    }
}
