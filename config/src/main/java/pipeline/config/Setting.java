package pipeline.config;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One named setting of a service.
 *
 * @param key          {@code scope.name}, lower case, for example {@code worker.max-batch}
 * @param type         how its text is parsed
 * @param defaultValue the value when neither the file nor the environment sets it; {@code null} makes it required
 * @param description  what it controls, with units, for {@code --help} and the README
 */
public record Setting<T>(String key, ValueType<T> type, T defaultValue, String description) {

    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9]*(\\.[a-z][a-z0-9-]*)+");

    public Setting {
        Objects.requireNonNull(type, "type");
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("setting key '" + key + "' must look like scope.name (lower case, dots, dashes)");
        }
    }

    public static <T> Setting<T> of(String key, ValueType<T> type, T defaultValue, String description) {
        return new Setting<>(key, type, defaultValue, description);
    }

    public static <T> Setting<T> required(String key, ValueType<T> type, String description) {
        return new Setting<>(key, type, null, description);
    }

    /** The first segment of the key, which says which part of the system reads it. */
    public String scope() {
        return scopeOf(key);
    }

    /** The environment variable that overrides this setting: {@code worker.max-batch} → {@code PIPELINE_WORKER_MAX_BATCH}. */
    public String envName() {
        return envNameOf(key);
    }

    static String scopeOf(String key) {
        int dot = key.indexOf('.');
        return dot < 0 ? key : key.substring(0, dot);
    }

    static String envNameOf(String key) {
        return Settings.ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
