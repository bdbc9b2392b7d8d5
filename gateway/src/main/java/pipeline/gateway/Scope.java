package pipeline.gateway;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What an API key may do. */
public enum Scope {
    /** Send images to classify. */
    INGEST,
    /** Read predictions and models. */
    READ,
    /** Send labels and corrections for training. */
    LABEL,
    /** Promote and roll back models. */
    ADMIN;

    static Scope parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown scope '" + text + "'; expected one of "
                    + Arrays.stream(values()).map(s -> s.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
        }
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
