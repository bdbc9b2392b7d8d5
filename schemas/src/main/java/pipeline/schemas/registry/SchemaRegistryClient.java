package pipeline.schemas.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers and looks up Avro schemas in a Confluent-compatible registry.
 *
 * <p>Ids are immutable (they name content; registries leave gaps between them), so id → schema and
 * (subject, schema) → id are cached forever; only lookups that can change (latest version,
 * compatibility) always ask the registry. Thread-safe; share one instance per registry.
 */
public final class SchemaRegistryClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryClient.class);
    private static final String MEDIA_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A subject and a schema, by Avro's schema equality (hash cached in the schema): no JSON per lookup. */
    private record SubjectSchema(String subject, Schema schema) {}

    private final RegistryClientOptions options;
    private final HttpClient http;
    private final String authorization;
    private final Map<SubjectSchema, Integer> idBySubjectSchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();

    public SchemaRegistryClient(RegistryClientOptions options) {
        this.options = options;
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(options.timeout());
        if ("http".equalsIgnoreCase(options.baseUrl().getScheme())) {
            // HTTP/2 in clear text begins with an h2c upgrade of the first request, body and all: a registry
            // on Vert.x (Apicurio, Quarkus) now and then held such a POST unanswered until the client gave up.
            http.version(HttpClient.Version.HTTP_1_1);
        }
        if (options.truststore() != null) {
            http.sslContext(options.truststore().sslContext());
        }
        this.http = http.build();
        this.authorization = options.credentials().authorization().orElse(null);
    }

    public RegistryClientOptions options() {
        return options;
    }

    /** Registers {@code schema} under {@code subject} (a no-op returning the same id when already there). */
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = idBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("register a schema under subject '" + subject + "'", "POST",
                "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
        int id = answer.path("id").asInt();
        idBySubjectSchema.put(key, id);
        schemaById.putIfAbsent(id, schema);
        return id;
    }

    /**
     * The registered version of {@code schema} under {@code subject}, without registering it.
     *
     * @throws SchemaRegistryException with {@link SchemaRegistryException.Reason#SUBJECT_NOT_FOUND} or
     *                                 {@link SchemaRegistryException.Reason#SCHEMA_NOT_FOUND} when absent
     */
    public RegisteredSchema lookup(String subject, Schema schema) {
        JsonNode answer = send("look up a schema under subject '" + subject + "'", "POST",
                "/subjects/" + encode(subject), schemaBody(schema));
        RegisteredSchema found = new RegisteredSchema(subject, answer.path("id").asInt(),
                answer.path("version").asInt(), schema);
        idBySubjectSchema.put(new SubjectSchema(subject, schema), found.id());
        schemaById.putIfAbsent(found.id(), schema);
        return found;
    }

    /** The id of {@code schema} under {@code subject}, from the cache or by {@link #lookup}. */
    public int idOf(String subject, Schema schema) {
        Integer cached = idBySubjectSchema.get(new SubjectSchema(subject, schema));
        return cached != null ? cached : lookup(subject, schema).id();
    }

    /** The schema with the given id; asks the registry once per id. */
    public Schema schemaById(int id) {
        Schema cached = schemaById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("fetch the schema with id " + id, "GET", "/schemas/ids/" + id, null);
        Schema schema = parse(answer.path("schema").asText(), "schema id " + id);
        Schema previous = schemaById.putIfAbsent(id, schema);
        return previous != null ? previous : schema;
    }

    /** The newest version of a subject. */
    public RegisteredSchema latest(String subject) {
        return version(subject, "latest");
    }

    /** One version of a subject ({@code "latest"} or a number). */
    public RegisteredSchema version(String subject, String version) {
        JsonNode answer = send("fetch version " + version + " of subject '" + subject + "'", "GET",
                "/subjects/" + encode(subject) + "/versions/" + encode(version), null);
        int id = answer.path("id").asInt();
        Schema schema = schemaById.computeIfAbsent(id, i -> parse(answer.path("schema").asText(), "subject " + subject));
        return new RegisteredSchema(subject, id, answer.path("version").asInt(), schema);
    }

    public List<String> subjects() {
        return strings(send("list the subjects", "GET", "/subjects", null));
    }

    public List<Integer> versions(String subject) {
        JsonNode answer = send("list the versions of subject '" + subject + "'", "GET",
                "/subjects/" + encode(subject) + "/versions", null);
        List<Integer> versions = new ArrayList<>();
        answer.forEach(v -> versions.add(v.asInt()));
        return versions;
    }

    /** Whether {@code schema} could be registered as the next version of {@code subject} under its compatibility level. */
    public boolean isCompatible(String subject, Schema schema) {
        JsonNode answer = send("test compatibility against subject '" + subject + "'", "POST",
                "/compatibility/subjects/" + encode(subject) + "/versions/latest", schemaBody(schema));
        return answer.path("is_compatible").asBoolean();
    }

    /** Sets the compatibility level of one subject. */
    public void setCompatibility(String subject, Compatibility level) {
        ObjectNode body = JSON.createObjectNode().put("compatibility", level.name());
        send("set the compatibility of subject '" + subject + "' to " + level, "PUT",
                "/config/" + encode(subject), body);
    }

    /** Deletes a subject (soft delete in Confluent's terms) and returns the versions it had. */
    public List<Integer> deleteSubject(String subject) {
        JsonNode answer = send("delete subject '" + subject + "'", "DELETE", "/subjects/" + encode(subject), null);
        List<Integer> versions = new ArrayList<>();
        answer.forEach(v -> versions.add(v.asInt()));
        idBySubjectSchema.keySet().removeIf(key -> key.subject().equals(subject));
        return versions;
    }

    @Override
    public void close() {
        http.close();
    }

    // ---------------------------------------------------------------- HTTP with retries

    private JsonNode send(String operation, String method, String path, JsonNode body) {
        URI uri = URI.create(options.baseUrl() + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(options.timeout())
                .header("Accept", MEDIA_TYPE + ", application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString()));
        if (body != null) {
            request.header("Content-Type", MEDIA_TYPE);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        Duration backoff = options.firstBackoff();
        String lastFailure = "";
        Throwable lastCause = null;
        for (int attempt = 1; attempt <= options.maxAttempts(); attempt++) {
            if (attempt > 1) {
                LOG.warn("Schema registry: could not {} ({}); try {} of {} in {} ms",
                        operation, lastFailure, attempt, options.maxAttempts(), backoff.toMillis());
                sleep(backoff);
                backoff = backoff.multipliedBy(2);
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                lastFailure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                lastCause = e;
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure(SchemaRegistryException.Reason.UNAVAILABLE, 0, 0, operation, uri, "interrupted", e);
            }
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return readJson(response.body(), operation, uri);
            }
            JsonNode error = readJsonOrNull(response.body());
            int errorCode = error == null ? 0 : error.path("error_code").asInt(0);
            String message = error == null ? response.body() : error.path("message").asText(response.body());
            lastFailure = "HTTP " + status + (errorCode != 0 ? ", error code " + errorCode : "") + ": " + message;
            if (status < 500) {
                throw failure(SchemaRegistryException.Reason.of(status, errorCode), status, errorCode, operation, uri, lastFailure, null);
            }
            lastCause = null;
        }
        throw failure(SchemaRegistryException.Reason.UNAVAILABLE, 0, 0, operation, uri,
                options.maxAttempts() + " attempts, last: " + lastFailure, lastCause);
    }

    private static SchemaRegistryException failure(SchemaRegistryException.Reason reason, int status, int errorCode,
                                                   String operation, URI uri, String detail, Throwable cause) {
        return new SchemaRegistryException(reason, status, errorCode,
                "Could not " + operation + " at " + uri + ": " + reason.meaning() + " (" + detail + ")", cause);
    }

    private static JsonNode readJson(String text, String operation, URI uri) {
        JsonNode node = readJsonOrNull(text);
        if (node == null) {
            throw failure(SchemaRegistryException.Reason.SERVER_ERROR, 200, 0, operation, uri,
                    "the answer is not JSON: " + abbreviate(text), null);
        }
        return node;
    }

    private static JsonNode readJsonOrNull(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static ObjectNode schemaBody(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).put("schemaType", "AVRO");
    }

    private static Schema parse(String text, String what) {
        try {
            return new Schema.Parser().parse(text);
        } catch (RuntimeException e) {
            throw new SchemaRegistryException(SchemaRegistryException.Reason.INVALID_SCHEMA, 200, 0,
                    "The registry returned a schema for " + what + " that Avro cannot parse: " + e.getMessage(), e);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    private static String encode(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException(SchemaRegistryException.Reason.UNAVAILABLE, 0, 0,
                    "Interrupted while waiting to retry a schema registry request", e);
        }
    }
}
