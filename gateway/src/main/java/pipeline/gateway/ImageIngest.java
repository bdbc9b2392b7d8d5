package pipeline.gateway;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import pipeline.schemas.avro.ImageEvent;

/**
 * {@code POST /v1/images}: one image as the raw body, or several as {@code multipart/form-data}. Accepted only when it can be kept: the declared
 * content type names a supported image format and the bytes are that format (415 otherwise), the
 * dimensions in its header are within limits (422), and Kafka has acknowledged the record (503 if
 * not). Then {@code 202 {"ids": [id]}}, or with {@code ?wait=} (bounded by a maximum) {@code 200} with
 * the prediction if it arrives in time. Optional query parameters: {@code id} (the client's own, for
 * idempotent retries), {@code source}, and {@code model} (which model's topic, {@link ImageRoutes}).
 */
final class ImageIngest implements Handler<RoutingContext> {

    static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern WAIT = Pattern.compile("(\\d{1,9})\\s*(ms|s)?");
    private final ImageCheck check;
    private final ImagePublisher publisher;
    private final ImageRoutes routes;
    /** Accepted images, for the live feed's thumbnails. */
    private final RecentImages recent;
    private final PredictionCache predictions;
    private final Duration maxWait;

    ImageIngest(ImageCheck check, ImagePublisher publisher, ImageRoutes routes, PredictionCache predictions, RecentImages recent,
                Duration maxWait) {
        this.routes = routes;
        this.recent = recent;
        this.check = check;
        this.publisher = publisher;
        this.predictions = predictions;
        this.maxWait = maxWait;
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (ImageCheck.mediaType(ctx.request().getHeader("Content-Type")).equals("multipart/form-data")) {
            several(ctx);
            return;
        }
        try {
            Duration wait = waitParameter(ctx);
            String topic = routes.topic(ctx.request().getParam("model"));
            ImageCheck.Checked image = check.body(ctx);
            ImageEvent event = accept(ctx, image);
            Future<Void> stored = check.decodable(image)
                    .compose(decoded -> publisher.publish(topic, event.getId(), event))
                    .onSuccess(v -> recent.keep(event.getId(), image));
            // With a wait, a prediction in time is the answer (200); otherwise, or without one, 202 with the id.
            Reply accepted = Reply.accepted(new JsonObject().put("ids", new JsonArray().add(event.getId())));
            Future<Reply> answered = wait.isZero() ? stored.map(v -> accepted) : stored.compose(v -> predictions.await(event.getId(), wait))
                    .map(found -> found.map(p -> Reply.ok(PredictionJson.of(p))).orElse(accepted));
            Reply.sendWhen(ctx, answered, "the image");
        } catch (ApiError error) {
            error.send(ctx);
        }
    }

    /**
     * Several images as {@code multipart/form-data}, one per file part: all are checked and decoded
     * before any is sent, so the answer is all accepted (202 with their ids, in part order) or none.
     */
    private void several(RoutingContext ctx) {
        try {
            if (ctx.request().getParam("wait") != null || ctx.request().getParam("id") != null) {
                throw new ApiError(400, "NOT_FOR_MULTIPART", "wait and id apply to a single image; send one image as the body to use them");
            }
            String topic = routes.topic(ctx.request().getParam("model"));
            if (ctx.fileUploads().isEmpty()) {
                throw new ApiError(400, "NO_IMAGES", "the multipart body holds no file parts; send each image as a file part");
            }
            Future<JsonObject> stored = check.decodable(ctx.fileUploads()).compose(images -> {
                JsonArray ids = new JsonArray();
                List<Future<Void>> sends = new ArrayList<>();
                for (ImageCheck.Checked image : images) {
                    ImageEvent event = accept(ctx, image);
                    ids.add(event.getId());
                    sends.add(publisher.publish(topic, event.getId(), event)
                            .onSuccess(v -> recent.keep(event.getId(), image)));
                }
                return Future.all(sends).map(all -> new JsonObject().put("ids", ids));
            });
            Reply.sendWhen(ctx, stored.map(Reply::accepted), "the images");
        } catch (ApiError error) {
            error.send(ctx);
        }
    }

    /** {@code id} if it is a valid image id (the record key), else a 400 naming the rule. */
    static String validId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new ApiError(400, "INVALID_ID", "id must be 1 to 128 characters of letters, digits and . _ : -");
        }
        return id;
    }

    /** {@code ?wait=} in milliseconds, or with a unit ({@code 500ms}, {@code 5s}), at most {@link #maxWait}; zero when absent. */
    private Duration waitParameter(RoutingContext ctx) {
        String raw = ctx.request().getParam("wait");
        if (raw == null) {
            return Duration.ZERO;
        }
        Matcher m = WAIT.matcher(raw.trim());
        if (!m.matches()) {
            throw new ApiError(400, "INVALID_WAIT", "wait is '" + raw + "'; expected milliseconds or a duration such as 500ms or 5s");
        }
        long millis = Long.parseLong(m.group(1)) * ("s".equals(m.group(2)) ? 1000 : 1);
        return Duration.ofMillis(Math.min(millis, maxWait.toMillis()));
    }

    /** The record for a request whose image passed the body checks, or the {@link ApiError} of its id or source. */
    private ImageEvent accept(RoutingContext ctx, ImageCheck.Checked image) {
        String id = ctx.request().getParam("id") == null ? UUID.randomUUID().toString() : validId(ctx.request().getParam("id"));
        ApiKeys.Caller caller = ctx.get(Authentication.CALLER);
        String source = ctx.request().getParam("source");
        if (source != null && !ID.matcher(source).matches()) {
            throw new ApiError(400, "INVALID_SOURCE", "source must be 1 to 128 characters of letters, digits and . _ : -");
        }
        return ImageEvent.newBuilder().setId(id).setSource(source == null ? caller.name() : source)
                .setTimestamp(Instant.now()).setContentType(image.contentType()).setImage(ByteBuffer.wrap(image.bytes())).build();
    }
}
