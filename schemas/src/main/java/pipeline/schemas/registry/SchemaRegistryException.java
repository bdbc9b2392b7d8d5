package pipeline.schemas.registry;

/**
 * The registry refused a request or could not be reached. {@link #reason()} says which, so callers
 * can react (register on {@link Reason#SUBJECT_NOT_FOUND}, fix the schema on {@link Reason#INCOMPATIBLE});
 * the message names the operation, the subject or id, the registry and what it answered.
 */
public final class SchemaRegistryException extends RuntimeException {

    /** What went wrong, from the Confluent error code (or the HTTP status when there is none). */
    public enum Reason {
        SUBJECT_NOT_FOUND("the subject does not exist"),
        VERSION_NOT_FOUND("the subject has no such version"),
        SCHEMA_NOT_FOUND("no such schema is registered"),
        INCOMPATIBLE("the schema is incompatible with an earlier version of the subject"),
        INVALID_SCHEMA("the registry rejected the schema as invalid"),
        INVALID_REQUEST("the registry rejected the request"),
        NO_SUCH_ENDPOINT("the server has no such endpoint; is the URL the registry's Confluent API"
                + " (Apicurio serves it under /apis/ccompat/v7)?"),
        UNAUTHORIZED("the registry refused the credentials"),
        UNAVAILABLE("the registry did not answer successfully after every retry"),
        SERVER_ERROR("the registry failed");

        private final String meaning;

        Reason(String meaning) {
            this.meaning = meaning;
        }

        public String meaning() {
            return meaning;
        }

        /** Maps a Confluent error code (e.g. 40401) and HTTP status to a reason. */
        static Reason of(int httpStatus, int errorCode) {
            return switch (errorCode) {
                case 40401 -> SUBJECT_NOT_FOUND;
                case 40402 -> VERSION_NOT_FOUND;
                case 40403 -> SCHEMA_NOT_FOUND;
                case 409, 40901 -> INCOMPATIBLE;
                case 42201 -> INVALID_SCHEMA;
                default -> switch (httpStatus) {
                    case 401, 403 -> UNAUTHORIZED;
                    case 404 -> NO_SUCH_ENDPOINT;
                    case 409 -> INCOMPATIBLE;
                    default -> httpStatus >= 500 ? SERVER_ERROR : INVALID_REQUEST;
                };
            };
        }
    }

    private final Reason reason;
    private final int httpStatus;
    private final int errorCode;

    SchemaRegistryException(Reason reason, int httpStatus, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public Reason reason() {
        return reason;
    }

    /** The HTTP status, or 0 when the registry was not reached. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The Confluent error code from the body, or 0 when there was none. */
    public int errorCode() {
        return errorCode;
    }
}
