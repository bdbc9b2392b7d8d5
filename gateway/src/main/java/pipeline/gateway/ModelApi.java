package pipeline.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import pipeline.convnet.net.NetworkSpec;
import pipeline.schemas.avro.InputSpec;
import pipeline.schemas.avro.ModelStatus;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.topics.ModelKey;
import pipeline.schemas.topics.Topics;

/**
 * {@code GET /v1/models}, {@code GET /v1/models/{version}} (lineage, metrics, status, whether it is
 * served) and {@code POST /v1/models/{version}/promote}: republishes that version as promoted, which
 * workers swap in — promoting an older version is a rollback. {@code {version}} is a number when
 * one model name is known, else {@code name:version}.
 */
final class ModelApi {

    private final ModelCatalog catalog;
    private final ImagePublisher publisher;

    ModelApi(ModelCatalog catalog, ImagePublisher publisher) {
        this.catalog = catalog;
        this.publisher = publisher;
    }

    void list(RoutingContext ctx) {
        JsonArray models = new JsonArray();
        catalog.all().forEach(v -> models.add(describe(v)));
        ctx.json(new JsonObject().put("models", models));
    }

    void get(RoutingContext ctx) {
        try {
            ctx.json(describe(catalog.find(ctx.pathParam("version"))));
        } catch (ApiError error) {
            error.send(ctx);
        }
    }

    void promote(RoutingContext ctx) {
        try {
            ModelVersion chosen = catalog.find(ctx.pathParam("version"));
            ModelVersion promoted = ModelVersion.newBuilder(chosen).setStatus(ModelStatus.PROMOTED).build();
            String key = new ModelKey(promoted.getName().toString(), promoted.getVersion()).toString();
            Reply.sendWhen(ctx, publisher.publish(Topics.MODELS.name(), key, promoted)
                    .map(v -> Reply.accepted(new JsonObject().put("model", key).put("status", ModelStatus.PROMOTED.name()))), "the promotion");
        } catch (ApiError error) {
            error.send(ctx);
        }
    }

    /** What the model takes: {@code {"channels": 3, "height": 224, "width": 224, "mean": […], "std": […], "resize": "centre-crop:0.875"}}. */
    private static JsonObject input(InputSpec input) {
        return new JsonObject().put("channels", input.getChannels()).put("height", input.getHeight())
                .put("width", input.getWidth()).put("mean", new JsonArray(List.copyOf(input.getMean())))
                .put("std", new JsonArray(List.copyOf(input.getStd()))).put("resize", input.getResize().toString());
    }

    private JsonObject describe(ModelVersion v) {
        boolean served = catalog.serving(v.getName().toString())
                .map(s -> s.getVersion() == v.getVersion()).orElse(false);
        JsonObject metrics = new JsonObject();
        v.getMetrics().forEach((k, value) -> metrics.put(k.toString(), value));
        return new JsonObject().put("name", v.getName().toString()).put("version", v.getVersion())
                .put("parent", v.getParentVersion()).put("status", v.getStatus().name()).put("served", served)
                .put("input", input(v.getInput()))
                .put("operators", new JsonObject(new LinkedHashMap<>(NetworkSpec.operators(v.getArchitecture().toString()))))
                .put("classes", new JsonArray(v.getClassNames().stream().map(CharSequence::toString).toList()))
                .put("metrics", metrics).put("samplesSeen", v.getSamplesSeen()).put("createdAt", v.getCreatedAt().toString())
                .put("sha256", v.getWeightsSha256().toString());
    }
}
