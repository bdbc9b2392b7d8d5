package pipeline.gateway;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * A successful answer decided before it is written: its status and JSON body. Handlers compute one
 * (a {@code 202} with ids, or a {@code 200} with the prediction that arrived in time) and
 * {@link #sendWhen} writes it, or the failure's error, in one place.
 */
record Reply(int status, JsonObject body) {

    static Reply accepted(JsonObject body) {
        return new Reply(202, body);
    }

    static Reply ok(JsonObject body) {
        return new Reply(200, body);
    }

    /**
     * Once {@code reply} completes: its status and body, or the failure's error ({@code 503} when Kafka did
     * not take {@code what}). Nothing, if the response was already given (a timeout answered it).
     */
    static void sendWhen(RoutingContext ctx, Future<Reply> reply, String what) {
        reply.onComplete(done -> {
            if (ctx.response().ended()) {
                return;
            }
            if (done.succeeded()) {
                ctx.response().setStatusCode(done.result().status()).putHeader("Content-Type", "application/json")
                        .end(done.result().body().encode());
            } else if (done.cause() instanceof ApiError error) {
                error.send(ctx);
            } else {
                ApiError.send(ctx, 503, "KAFKA_UNAVAILABLE", what + " could not be stored; send it again");
            }
        });
    }
}
