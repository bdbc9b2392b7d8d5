package pipeline.gateway;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.modelstore.ModelRefusedException;
import pipeline.modelstore.ServedModel;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.ModelKey;
import pipeline.schemas.topics.Topics;

/**
 * Every model version on {@code models} (read from the start, as workers read it) and which one is
 * served: for each model name, what the workers decide by the rule they share ({@link ServedModel}:
 * the most recent {@code PROMOTED} record that verifies). Versions keep their weights so that an admin can promote or roll back to any of them.
 */
final class ModelCatalog extends TopicFollower<ModelVersion> {

    private static final Logger LOG = LoggerFactory.getLogger(ModelCatalog.class);

    private final Map<ModelKey, ModelVersion> versions = new ConcurrentHashMap<>();
    private final Map<String, ModelVersion> serving = new ConcurrentHashMap<>();
    /** The follower thread's own: which version serves, per name, by the rule the workers apply. */
    private final Map<String, ServedModel> rules = new HashMap<>();

    ModelCatalog(KafkaConnection kafka, SchemaRegistryClient registry) {
        super(kafka, registry, Topics.MODELS.name(), ModelVersion.class, true);
    }

    @Override
    protected void accept(ModelVersion version) {
        String name = version.getName().toString();
        versions.put(new ModelKey(name, version.getVersion()), version);
        ServedModel model = rules.computeIfAbsent(name, ServedModel::named);
        try {
            if (model.consider(version)) {
                serving.put(name, model.record());
            }
        } catch (ModelRefusedException e) {
            LOG.warn("Promoted {} does not verify, so workers keep serving v{}: {}", name + " v" + version.getVersion(),
                    model.record() == null ? "none" : model.record().getVersion(), e.getMessage());
        }
    }

    /** All versions, by name then version. */
    List<ModelVersion> all() {
        List<ModelVersion> list = new ArrayList<>(versions.values());
        list.sort(Comparator.comparing((ModelVersion v) -> v.getName().toString()).thenComparingInt(ModelVersion::getVersion));
        return list;
    }

    Optional<ModelVersion> version(ModelKey key) {
        return Optional.ofNullable(versions.get(key));
    }

    /** The version served for {@code name}, if one was promoted. */
    Optional<ModelVersion> serving(String name) {
        return Optional.ofNullable(serving.get(name));
    }

    /** The one model name when exactly one is known (so {@code /v1/models/3} needs no name). */
    Optional<String> onlyName() {
        List<String> names = versions.keySet().stream().map(ModelKey::name).distinct().toList();
        return names.size() == 1 ? Optional.of(names.getFirst()) : Optional.empty();
    }

    /** Class names of every served model: the labels the trainer can use. */
    List<String> servedClasses() {
        return serving.values().stream().flatMap(v -> v.getClassNames().stream()).map(CharSequence::toString).distinct().toList();
    }

    /**
     * The version a path names: {@code name:version}, or a bare number when one model name is known.
     *
     * @throws ApiError 400 for a malformed or ambiguous name, 404 for an unknown version
     */
    ModelVersion find(String path) {
        ModelKey key;
        try {
            if (path.contains(":")) {
                key = ModelKey.parse(path);
            } else {
                String name = onlyName().orElseThrow(() -> new ApiError(400, "AMBIGUOUS_MODEL",
                        "several (or no) model names are known; name the version as name:version"));
                key = new ModelKey(name, Integer.parseInt(path));
            }
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "INVALID_VERSION", "'" + path + "' is not a model version: expected a number or name:version");
        }
        return version(key).orElseThrow(() -> new ApiError(404, "UNKNOWN_MODEL", "no model version " + key + " on the models topic"));
    }
}
