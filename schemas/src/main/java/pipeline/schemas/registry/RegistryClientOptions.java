package pipeline.schemas.registry;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import pipeline.config.ClusterSettings;
import pipeline.config.Settings;
import pipeline.config.SettingsException;

/**
 * Where the registry is and how patiently to talk to it.
 *
 * @param baseUrl      e.g. {@code http://127.0.0.1:8081} (Confluent) or {@code http://host:8080/apis/ccompat/v7} (Apicurio)
 * @param timeout      per HTTP request
 * @param maxAttempts  tries per request, counting the first; only I/O errors and HTTP 5xx are retried
 * @param firstBackoff wait before the second try; doubled before each further one
 * @param credentials  sent with every request; user info in the URL ({@code https://user:password@host}) becomes basic
 *                     auth when none are given, and leaves the URL, so that no message shows it
 * @param truststore   the CAs to trust for HTTPS, or {@code null} for the JDK's
 */
public record RegistryClientOptions(URI baseUrl, Duration timeout, int maxAttempts, Duration firstBackoff,
                                    RegistryCredentials credentials, Truststore truststore) {

    public static final String URL = "schema.registry.url";
    public static final String USER_INFO = "basic.auth.user.info";
    public static final String BEARER_TOKEN = "bearer.auth.token";
    public static final String TRUSTSTORE = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
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
        if (credentials == null) {
            credentials = RegistryCredentials.NONE;
        }
        if (baseUrl.getRawUserInfo() != null) {
            if (credentials == RegistryCredentials.NONE) {
                credentials = RegistryCredentials.basic(baseUrl.getUserInfo());
            }
            baseUrl = withoutUserInfo(baseUrl);
        }
        String url = baseUrl.toString();
        if (url.endsWith("/")) {
            baseUrl = URI.create(url.substring(0, url.length() - 1));
        }
    }

    /** Defaults: 10 s per request, 4 attempts, 200 ms first backoff (then 400, 800 ms), no credentials, the JDK's CAs. */
    public static RegistryClientOptions of(String baseUrl) {
        return new RegistryClientOptions(URI.create(baseUrl), Duration.ofSeconds(10), 4, Duration.ofMillis(200), null, null);
    }

    /**
     * What a service's settings say: {@code registry.url}, its credentials (basic auth or a bearer token, not
     * both) and truststore.
     *
     * @throws SettingsException when both kinds of credentials are given, or the user info is not user:password
     */
    public static RegistryClientOptions from(Settings settings) {
        String userInfo = settings.get(ClusterSettings.REGISTRY_USER_INFO);
        String token = settings.get(ClusterSettings.REGISTRY_BEARER_TOKEN);
        String truststore = settings.get(ClusterSettings.REGISTRY_TRUSTSTORE);
        try {
            return of(settings.get(ClusterSettings.REGISTRY))
                    .withCredentials(credentials(userInfo, token, ClusterSettings.REGISTRY_USER_INFO.key(),
                            ClusterSettings.REGISTRY_BEARER_TOKEN.key()))
                    .withTruststore(truststore.isEmpty() ? null
                            : new Truststore(Path.of(truststore), settings.get(ClusterSettings.REGISTRY_TRUSTSTORE_PASSWORD)));
        } catch (IllegalArgumentException e) {
            throw new SettingsException(e.getMessage());
        }
    }

    public RegistryClientOptions withRetries(int maxAttempts, Duration firstBackoff) {
        return new RegistryClientOptions(baseUrl, timeout, maxAttempts, firstBackoff, credentials, truststore);
    }

    public RegistryClientOptions withCredentials(RegistryCredentials credentials) {
        return new RegistryClientOptions(baseUrl, timeout, maxAttempts, firstBackoff, credentials, truststore);
    }

    public RegistryClientOptions withTruststore(Truststore truststore) {
        return new RegistryClientOptions(baseUrl, timeout, maxAttempts, firstBackoff, credentials, truststore);
    }

    /** {@code https://host:8081 (basic auth as pipeline-gateway (password [hidden]), truststore …)}: for start-up lines. */
    @Override
    public String toString() {
        return baseUrl + " (" + credentials + (truststore == null ? "" : ", " + truststore) + ")";
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
                credentials(text(configs, USER_INFO), text(configs, BEARER_TOKEN), USER_INFO, BEARER_TOKEN),
                text(configs, TRUSTSTORE).isEmpty() ? null
                        : new Truststore(Path.of(text(configs, TRUSTSTORE)), text(configs, TRUSTSTORE_PASSWORD)));
    }

    private static RegistryCredentials credentials(String userInfo, String token, String userInfoKey, String tokenKey) {
        if (!userInfo.isEmpty() && !token.isEmpty()) {
            throw new IllegalArgumentException("both " + userInfoKey + " and " + tokenKey + " are set; expected one kind of"
                    + " registry credentials, basic auth or a bearer token");
        }
        return userInfo.isEmpty() ? RegistryCredentials.bearer(token) : RegistryCredentials.basic(userInfo);
    }

    private static String text(Map<String, ?> configs, String key) {
        Object value = configs.get(key);
        return value == null ? "" : value.toString();
    }

    private static URI withoutUserInfo(URI url) {
        try {
            return new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), url.getQuery(), url.getFragment());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("schema registry URL " + url.getHost() + " cannot lose its user info: " + e.getMessage(), e);
        }
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
