package pipeline.infra;

/** A piece of infrastructure could not start or stop; the message says which, where, and where its log is. */
public final class InfraException extends RuntimeException {
    public InfraException(String message) {
        super(message);
    }

    public InfraException(String message, Throwable cause) {
        super(message, cause);
    }
}
