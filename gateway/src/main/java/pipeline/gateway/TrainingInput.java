package pipeline.gateway;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import pipeline.schemas.avro.Feedback;
import pipeline.schemas.avro.LabelOrigin;
import pipeline.schemas.avro.LabelledImage;
import pipeline.schemas.topics.Topics;

/**
 * What users teach the model: {@code POST /v1/labels?label=…} (an image as the body, with its class,
 * to {@code labels}) and {@code POST /v1/images/{id}/feedback} ({@code {"label": …, "author": …}}
 * for an image sent before, to {@code feedback}). With {@code ?model=} (a model {@code gateway.routes}
 * names, 404 otherwise) the label is for that model, its image sent with the same parameter: it must be
 * one of that model's classes, and the record names the model so that the model's own trainer takes it
 * ({@code trainer.model-name}, {@code trainer.images-topic}); without it, a label must be a class of any
 * served model. A label of no class is refused (422 naming the classes) unless {@code gateway.new-classes}
 * is {@code accept}: then a new class name is taken too (for a trainer that grows the model's head,
 * {@code trainer.new-classes=grow}); with no model served yet there is nothing to check against (503).
 */
final class TrainingInput {

    /** A class name a label may bring: up to 64 characters, none of them a control character. */
    private static final Pattern CLASS_NAME = Pattern.compile("[^\\p{Cntrl}]{1,64}");

    private final ImageCheck check;
    private final ImagePublisher publisher;
    private final ImageRoutes routes;
    private final ModelCatalog catalog;
    private final boolean newClasses;

    /** @param newClasses whether a label may name a class no served model has */
    TrainingInput(ImageCheck check, ImagePublisher publisher, ImageRoutes routes, ModelCatalog catalog, boolean newClasses) {
        this.check = check;
        this.publisher = publisher;
        this.routes = routes;
        this.catalog = catalog;
        this.newClasses = newClasses;
    }

    void label(RoutingContext ctx) {
        try {
            String model = routedModel(ctx);
            String label = knownLabel(ctx.request().getParam("label"), model);
            ImageCheck.Checked image = check.body(ctx);
            String id = ctx.request().getParam("id") == null ? UUID.randomUUID().toString() : ImageIngest.validId(ctx.request().getParam("id"));
            ApiKeys.Caller caller = ctx.get(Authentication.CALLER);
            LabelledImage record = LabelledImage.newBuilder().setImageId(id).setSource(caller.name())
                    .setContentType(image.contentType()).setImage(ByteBuffer.wrap(image.bytes())).setLabel(label)
                    .setOrigin(LabelOrigin.HUMAN).setTimestamp(Instant.now()).setModel(model).build();
            Reply.sendWhen(ctx, check.decodable(image).compose(decoded -> publisher.publish(Topics.LABELS.name(), id, record))
                    .map(v -> Reply.accepted(new JsonObject().put("id", id))), "the label");
        } catch (ApiError error) {
            error.send(ctx);
        }
    }

    void feedback(RoutingContext ctx) {
        try {
            String id = ImageIngest.validId(ctx.pathParam("id"));
            String model = routedModel(ctx);
            JsonObject body;
            try {
                body = ctx.body().asJsonObject();
            } catch (DecodeException | ClassCastException e) {
                throw new ApiError(400, "INVALID_JSON", "the body must be a JSON object such as {\"label\": \"Sneaker\"}");
            }
            if (body == null) {
                throw new ApiError(400, "INVALID_JSON", "the body must be a JSON object such as {\"label\": \"Sneaker\"}");
            }
            Object author = body.getValue("author");
            Feedback record = Feedback.newBuilder().setImageId(id).setLabel(knownLabel(body.getValue("label"), model))
                    .setOrigin(LabelOrigin.CORRECTION).setTimestamp(Instant.now())
                    .setAuthor(author instanceof String a ? a : null).setModel(model).build();
            publish(ctx, Topics.FEEDBACK.name(), id, record);
        } catch (ApiError error) {
            error.send(ctx);
        }
    }

    private void publish(RoutingContext ctx, String topic, String id, SpecificRecord record) {
        Reply.sendWhen(ctx, publisher.publish(topic, id, record).map(v -> Reply.accepted(new JsonObject().put("id", id))), "the label");
    }

    /** The {@code model} parameter when {@code gateway.routes} names it (404 otherwise), or {@code null} without one. */
    private String routedModel(RoutingContext ctx) {
        String model = ctx.request().getParam("model");
        routes.topic(model);
        return model;
    }

    /** {@code label} when it is a class of {@code model} (any served model's when {@code null}), or a new class allowed. */
    private String knownLabel(Object label, String model) {
        if (!(label instanceof String text) || text.isBlank()) {
            throw new ApiError(400, "MISSING_LABEL", "a label is needed: the class the image shows");
        }
        List<String> classes = model == null ? catalog.servedClasses()
                : catalog.serving(model).map(v -> v.getClassNames().stream().map(CharSequence::toString).toList()).orElse(List.of());
        if (classes.isEmpty()) {
            throw new ApiError(503, "NO_MODEL", (model == null ? "no model is" : "model '" + model + "' is not")
                    + " served yet, so there are no classes to check the label against");
        }
        if (classes.contains(text)) {
            return text;
        }
        if (!newClasses) {
            throw new ApiError(422, "UNKNOWN_LABEL", "'" + text + "' is not a class of " + (model == null ? "the served model" : model)
                    + "; expected one of " + classes + " (or set gateway.new-classes=accept for a trainer that grows the model)");
        }
        if (!CLASS_NAME.matcher(text).matches()) {
            throw new ApiError(422, "INVALID_LABEL", "a new class name is 1 to 64 characters, none of them a control character");
        }
        return text;
    }

}
