package pipeline.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The settings of one service, resolved once at start: defaults in code &lt; properties file &lt;
 * environment variables {@code PIPELINE_…}. Immutable after {@link #load}.
 *
 * <p>Several services may share one environment or one file (the local stack runs them all), so a
 * key in a scope this service does not read is left to the service that does; a key in a scope no
 * service reads, or an unknown key in a scope this service reads, is a typo and fails the start.
 *
 * <p>An open scope ({@link #OPEN_SCOPES}) also carries the properties of a client library the services
 * use: a key there that no definition names, {@code kafka.security.protocol} in the file or
 * {@code PIPELINE_KAFKA_SECURITY_PROTOCOL} in the environment, is kept as text for {@link #passThrough},
 * which hands it to the library (and the library's owner checks the names).
 */
public final class Settings {

    public static final String ENV_PREFIX = "PIPELINE_";
    /** Names the properties file to read, when set. */
    public static final String CONFIG_FILE_ENV = "PIPELINE_CONFIG";
    /** Every scope some part of the system reads. */
    public static final Set<String> KNOWN_SCOPES =
            Set.of("kafka", "registry", "stack", "provision", "worker", "gateway", "trainer", "convnet");

    /** Scopes whose undefined keys are a client library's own properties: {@code kafka.sasl.mechanism} is Kafka's {@code sasl.mechanism}. */
    public static final Set<String> OPEN_SCOPES = Set.of("kafka");

    /** Where a value came from, named in messages so a user knows what to change. */
    public enum Origin { DEFAULT, FILE, ENVIRONMENT }

    private record Resolved(Object value, Origin origin) {}

    private final Map<String, Resolved> values;
    /** The open scopes' undefined keys (full keys, {@code kafka.sasl.mechanism}) and their text. */
    private final Map<String, String> passedThrough;

    private Settings(Map<String, Resolved> values, Map<String, String> passedThrough) {
        this.values = values;
        this.passedThrough = passedThrough;
    }

    /** Loads from the process environment and the file it names in {@code PIPELINE_CONFIG}, if any. */
    public static Settings fromEnvironment(List<Setting<?>> definitions) {
        Map<String, String> env = System.getenv();
        String file = env.get(CONFIG_FILE_ENV);
        return load(definitions, file == null || file.isBlank() ? null : Path.of(file), env);
    }

    /**
     * Resolves every definition.
     *
     * @param file a properties file, or {@code null} for none
     * @param env  the environment; only variables starting with {@code PIPELINE_} are read
     * @throws SettingsException listing every unknown key, malformed value and missing required setting
     */
    public static Settings load(List<Setting<?>> definitions, Path file, Map<String, String> env) {
        Map<String, Setting<?>> byKey = new LinkedHashMap<>();
        Map<String, Setting<?>> byEnvName = new HashMap<>();
        Set<String> scopes = new TreeSet<>();
        for (Setting<?> setting : definitions) {
            if (byKey.put(setting.key(), setting) != null) {
                throw new IllegalArgumentException("setting " + setting.key() + " is defined twice");
            }
            Setting<?> clash = byEnvName.put(setting.envName(), setting);
            if (clash != null) {
                throw new IllegalArgumentException("settings " + clash.key() + " and " + setting.key()
                        + " share the environment variable " + setting.envName());
            }
            if (!KNOWN_SCOPES.contains(setting.scope())) {
                throw new IllegalArgumentException("setting " + setting.key() + " is in scope '" + setting.scope()
                        + "', which is not one of " + new TreeSet<>(KNOWN_SCOPES));
            }
            scopes.add(setting.scope());
        }

        List<String> problems = new ArrayList<>();
        Map<String, Resolved> values = new LinkedHashMap<>();
        Map<String, String> passedThrough = new TreeMap<>();
        for (Setting<?> setting : definitions) {
            if (setting.defaultValue() != null) {
                values.put(setting.key(), new Resolved(setting.defaultValue(), Origin.DEFAULT));
            }
        }
        if (file != null) {
            Properties properties = readProperties(file);
            for (String key : new TreeSet<>(properties.stringPropertyNames())) {
                String where = "in " + file;
                Setting<?> setting = byKey.get(key);
                if (setting == null && passesThrough(key, scopes)) {
                    passedThrough.put(key, properties.getProperty(key));
                } else if (setting == null) {
                    unknown(key, where, scopes, byKey).ifPresent(problems::add);
                } else {
                    parse(setting, properties.getProperty(key), where, Origin.FILE, values, problems);
                }
            }
        }
        for (String name : new TreeSet<>(env.keySet())) {
            if (!name.startsWith(ENV_PREFIX) || name.equals(CONFIG_FILE_ENV)) {
                continue;
            }
            String where = "from environment variable " + name;
            Setting<?> setting = byEnvName.get(name);
            String key = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
            if (setting == null && passesThrough(key, scopes)) {
                passedThrough.put(key, env.get(name));
            } else if (setting == null) {
                unknown(key, where, scopes, byKey).ifPresent(problems::add);
            } else {
                parse(setting, env.get(name), where, Origin.ENVIRONMENT, values, problems);
            }
        }
        for (Setting<?> setting : definitions) {
            if (!values.containsKey(setting.key())) {
                problems.add("setting " + setting.key() + " is required (" + setting.description() + "): set "
                        + setting.envName() + " or " + setting.key() + " in the file named by " + CONFIG_FILE_ENV
                        + "; expected " + setting.type().expected());
            }
        }
        if (!problems.isEmpty()) {
            throw new SettingsException(String.join("\n", problems));
        }
        return new Settings(values, Map.copyOf(passedThrough));
    }

    /**
     * The properties this service's definitions leave undefined in the open {@code scope}, without the
     * scope: {@code kafka.sasl.mechanism=SCRAM-SHA-512} (or {@code PIPELINE_KAFKA_SASL_MECHANISM}) is
     * {@code sasl.mechanism → SCRAM-SHA-512}. Empty when the service does not read the scope.
     */
    public Map<String, String> passThrough(String scope) {
        if (!OPEN_SCOPES.contains(scope)) {
            throw new IllegalArgumentException("scope '" + scope + "' is not open; the open scopes are " + new TreeSet<>(OPEN_SCOPES));
        }
        String prefix = scope + ".";
        Map<String, String> properties = new TreeMap<>();
        passedThrough.forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                properties.put(key.substring(prefix.length()), value);
            }
        });
        return properties;
    }

    private static boolean passesThrough(String key, Set<String> scopes) {
        String scope = Setting.scopeOf(key);
        return OPEN_SCOPES.contains(scope) && scopes.contains(scope) && key.length() > scope.length() + 1;
    }

    /** The value of a setting this service defined. */
    public <T> T get(Setting<T> setting) {
        Resolved resolved = values.get(setting.key());
        if (resolved == null) {
            throw new IllegalArgumentException("setting " + setting.key() + " was not among the definitions loaded");
        }
        @SuppressWarnings("unchecked")
        T value = (T) resolved.value();
        return value;
    }

    /** Where the value of a setting came from. */
    public Origin origin(Setting<?> setting) {
        get(setting);
        return values.get(setting.key()).origin();
    }

    private static void parse(Setting<?> setting, String raw, String where, Origin origin,
                              Map<String, Resolved> values, List<String> problems) {
        try {
            values.put(setting.key(), new Resolved(setting.type().parse(raw), origin));
        } catch (IllegalArgumentException e) {
            problems.add("setting " + setting.key() + " " + where + " is '" + raw + "'; expected "
                    + setting.type().expected());
        }
    }

    private static Optional<String> unknown(String key, String where, Set<String> scopes,
                                                      Map<String, Setting<?>> byKey) {
        String scope = Setting.scopeOf(key);
        if (scopes.contains(scope)) {
            List<String> known = byKey.keySet().stream().filter(k -> Setting.scopeOf(k).equals(scope)).toList();
            return Optional.of("unknown setting " + key + " " + where + "; the " + scope
                    + " settings are: " + String.join(", ", known));
        }
        if (KNOWN_SCOPES.contains(scope)) {
            return Optional.empty();
        }
        return Optional.of("unknown setting " + key + " " + where + ": no part of the system reads scope '"
                + scope + "'; the scopes are " + new TreeSet<>(KNOWN_SCOPES));
    }

    private static Properties readProperties(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new SettingsException("cannot read the settings file " + file + " (named by " + CONFIG_FILE_ENV
                    + " or --config): " + e);
        }
        return properties;
    }
}
