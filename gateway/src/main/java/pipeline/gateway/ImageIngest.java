package pipeline.gateway;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import pipeline.convnet.data.ImageProbe;
import pipeline.schemas.avro.ImageEvent;
import pipeline.schemas.topics.Topics;

/**
 * {@code POST /v1/images}: one image as the raw body. Accepted only when it can be kept: the declared
 * content type names a supported image format and the bytes are that format (415 otherwise), the
 * dimensions in its header are within limits (422), and Kafka has acknowledged the record (503 if
 * not). Then {@code 202 {"ids": [id]}}, or with {@code ?wait=} (bounded by a maximum) {@code 200} with
 * the prediction if it arrives in time. Optional query parameters: {@code id} (the client's own, for
 * idempotent retries) and {@code source}.
 */
final class ImageIngest implements Handler<RoutingContext> {

    static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern WAIT = Pattern.compile("(\\d{1,9})\\s*(ms|s)?");
    private static final Map<String, ImageProbe.Format> CONTENT_TYPES = Map.of(
            "image/png", ImageProbe.Format.PNG, "image/jpeg", ImageProbe.Format.JPEG,
            "image/bmp", ImageProbe.Format.BMP, "image/gif", ImageProbe.Format.GIF);

    private final ImageProbe probe;
    private final ImagePublisher publisher;
    private final PredictionCache predictions;
    private final Duration maxWait;

    ImageIngest(ImageProbe probe, ImagePublisher publisher, PredictionCache predictions, Duration maxWait) {
        this.probe = probe;
        this.publisher = publisher;
        this.predictions = predictions;
        this.maxWait = maxWait;
    }

    @Override
    public void handle(RoutingContext ctx) {
        try {
            Duration wait = waitParameter(ctx);
            ImageEvent event = accept(ctx);
            publisher.publish(Topics.IMAGES.name(), event.getId(), event).onComplete(done -> {
                if (done.succeeded() && wait.isZero()) {
                    accepted(ctx, event.getId());
                } else if (done.succeeded()) {
                    predictions.await(event.getId(), wait).onSuccess(prediction -> prediction.ifPresentOrElse(
                            p -> ctx.json(PredictionJson.of(p)), () -> accepted(ctx, event.getId())));
                } else if (done.cause() instanceof ApiError error) {
                    error.send(ctx);
                } else {
                    ApiError.send(ctx, 503, "KAFKA_UNAVAILABLE", "the image could not be stored; send it again");
                }
            });
        } catch (ApiError error) {
            error.send(ctx);
        }
    }

    private static void accepted(RoutingContext ctx, String id) {
        ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("ids", new JsonArray().add(id)).encode());
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

    /** The record for a request that passes every check, or the {@link ApiError} of the first it fails. */
    private ImageEvent accept(RoutingContext ctx) {
        String declared = mediaType(ctx.request().getHeader("Content-Type"));
        ImageProbe.Format expected = CONTENT_TYPES.get(declared);
        if (expected == null) {
            throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type is '" + declared + "'; send the image as the body with"
                    + " one of " + String.join(", ", CONTENT_TYPES.keySet().stream().sorted().toList()));
        }
        byte[] bytes = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        if (bytes.length == 0) {
            throw new ApiError(400, "EMPTY_BODY", "the body is empty; send the image's bytes as the body");
        }
        ImageProbe.Format actual = ImageProbe.Format.sniff(bytes);
        if (actual != expected) {
            throw new ApiError(415, "CONTENT_MISMATCH", "Content-Type says " + declared + " but the bytes are "
                    + (actual == null ? "no image format the gateway knows (PNG, JPEG, BMP, GIF)" : actual.name()));
        }
        try {
            probe.header(bytes);
        } catch (ImageProbe.RejectedImage e) {
            throw new ApiError(422, e.reason().name(), e.getMessage());
        }
        String id = ctx.request().getParam("id");
        if (id == null) {
            id = UUID.randomUUID().toString();
        } else if (!ID.matcher(id).matches()) {
            throw new ApiError(400, "INVALID_ID", "id must be 1 to 128 characters of letters, digits and . _ : -");
        }
        ApiKeys.Caller caller = ctx.get(Authentication.CALLER);
        String source = ctx.request().getParam("source");
        if (source != null && !ID.matcher(source).matches()) {
            throw new ApiError(400, "INVALID_SOURCE", "source must be 1 to 128 characters of letters, digits and . _ : -");
        }
        return ImageEvent.newBuilder().setId(id).setSource(source == null ? caller.name() : source)
                .setTimestamp(Instant.now()).setContentType(declared).setImage(ByteBuffer.wrap(bytes)).build();
    }

    private static String mediaType(String header) {
        if (header == null) {
            return "(none)";
        }
        int semicolon = header.indexOf(';');
        return (semicolon < 0 ? header : header.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }
}
