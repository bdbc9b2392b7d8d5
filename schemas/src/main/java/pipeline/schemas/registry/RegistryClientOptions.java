package pipeline.schemas.registry;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Where the registry is and how patiently to talk to it.
 *
 * @param baseUrl      e.g. {@code http://127.0.0.1:8081} (Confluent) or {@code http://host:8080/apis/ccompat/v7} (Apicurio)
 * @param timeout      per HTTP request
 * @param maxAttempts  tries per request, counting the first; only I/O errors and HTTP 5xx are retried
 * @param firstBackoff wait before the second try; doubled before each further one
 * @param userInfo     {@code user:password} for HTTP basic auth, or {@code null}
 */
public record RegistryClientOptions(URI baseUrl, Duration timeout, int maxAttempts, Duration firstBackoff,
                                    String userInfo) {

    public static final String URL = "schema.registry.url";
    public static final String USER_INFO = "basic.auth.user.info";
    public static final String TIMEOUT_MS = "schema.registry.request.timeout.ms";
    public static final String MAX_ATTEMPTS = "schema.registry.max.attempts";
    public static final String BACKOFF_MS = "schema.registry.retry.backoff.ms";

    public RegistryClientOptions {
        if (baseUrl == null || baseUrl.getScheme() == null || !baseUrl.getScheme().startsWith("http")) {
            throw new IllegalArgumentException("schema registry URL '" + baseUrl + "' must be an http(s) URL such as http://127.0.0.1:8081");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("schema registry max attempts is " + maxAttempts + "; expected 1 or more");
        }
        String url = baseUrl.toString();
        if (url.endsWith("/")) {
            baseUrl = URI.create(url.substring(0, url.length() - 1));
        }
    }

    /** Defaults: 10 s per request, 4 attempts, 200 ms first backoff (then 400, 800 ms). */
    public static RegistryClientOptions of(String baseUrl) {
        return new RegistryClientOptions(URI.create(baseUrl), Duration.ofSeconds(10), 4, Duration.ofMillis(200), null);
    }

    public RegistryClientOptions withRetries(int maxAttempts, Duration firstBackoff) {
        return new RegistryClientOptions(baseUrl, timeout, maxAttempts, firstBackoff, userInfo);
    }

    /** Reads the Kafka-style configuration map of a serializer ({@code schema.registry.url}, …). */
    public static RegistryClientOptions fromConfigs(Map<String, ?> configs) {
        Object url = configs.get(URL);
        if (url == null || url.toString().isBlank()) {
            throw new IllegalArgumentException(URL + " is not set; expected the registry's base URL, e.g. http://127.0.0.1:8081");
        }
        RegistryClientOptions defaults = of(url.toString().split(",")[0].trim());
        return new RegistryClientOptions(defaults.baseUrl(),
                Duration.ofMillis(number(configs, TIMEOUT_MS, defaults.timeout().toMillis())),
                (int) number(configs, MAX_ATTEMPTS, defaults.maxAttempts()),
                Duration.ofMillis(number(configs, BACKOFF_MS, defaults.firstBackoff().toMillis())),
                configs.get(USER_INFO) == null ? null : configs.get(USER_INFO).toString());
    }

    private static long number(Map<String, ?> configs, String key, long fallback) {
        Object value = configs.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is '" + value + "'; expected a whole number", e);
        }
    }
}
