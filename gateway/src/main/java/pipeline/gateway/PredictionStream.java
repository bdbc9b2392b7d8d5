package pipeline.gateway;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Consumer;
import pipeline.schemas.avro.Prediction;

/**
 * {@code GET /v1/predictions/stream[?source=…]}: predictions as they are made, as Server-Sent Events
 * ({@code event: prediction}, {@code data: <json>}), optionally only those of one source, and with
 * {@code thumbnails=true} the image itself as a {@code data:} URL when this gateway took it lately
 * and it is small (see {@link RecentImages}). A client
 * that cannot keep up is not waited for: while its connection's write queue is full, its events are
 * dropped (and counted in a comment line), so one slow reader never holds up the gateway.
 */
final class PredictionStream implements Handler<RoutingContext> {

    private final Vertx vertx;
    private final PredictionCache predictions;
    private final RecentImages images;

    PredictionStream(Vertx vertx, PredictionCache predictions, RecentImages images) {
        this.vertx = vertx;
        this.predictions = predictions;
        this.images = images;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String source = ctx.request().getParam("source");
        boolean thumbnails = "true".equals(ctx.request().getParam("thumbnails"));
        HttpServerResponse response = ctx.response().setChunked(true)
                .putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
        response.write(": streaming predictions" + (source == null ? "" : " of source " + source) + "\n\n");
        Context context = vertx.getOrCreateContext();
        int[] dropped = {0};
        Consumer<Prediction> listener = prediction -> {
            if (source == null || source.equals(prediction.getSource().toString())) {
                context.runOnContext(v -> {
                    if (response.ended() || response.closed()) {
                        return;
                    }
                    if (response.writeQueueFull()) {
                        dropped[0]++;
                        return;
                    }
                    if (dropped[0] > 0) {
                        response.write(": " + dropped[0] + " predictions dropped while this client was behind\n\n");
                        dropped[0] = 0;
                    }
                    JsonObject json = PredictionJson.of(prediction);
                    if (thumbnails) {
                        images.dataUrl(prediction.getImageId().toString()).ifPresent(url -> json.put("thumbnail", url));
                    }
                    response.write("event: prediction\ndata: " + json.encode() + "\n\n");
                });
            }
        };
        predictions.listen(listener);
        response.closeHandler(v -> predictions.unlisten(listener));
        response.exceptionHandler(e -> predictions.unlisten(listener));
    }
}
