package pipeline.config;

/** A setting that is unknown, missing or malformed; the message names the key and what was expected. */
public final class SettingsException extends RuntimeException {
    public SettingsException(String message) {
        super(message);
    }
}
