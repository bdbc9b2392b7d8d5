package pipeline.gateway;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Every error answer: a status and {@code {"error": CODE, "message": …}}, where the message says
 * what was wrong and what was expected.
 */
final class ApiError extends RuntimeException {

    private final int status;
    private final String code;

    ApiError(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    static void send(RoutingContext ctx, int status, String code, String message) {
        if (ctx.response().ended()) {
            return;
        }
        if (status == 503) {
            // Every 503 is a passing condition (Kafka away, no model yet, a slow request): try again soon.
            ctx.response().putHeader("Retry-After", "1");
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", code).put("message", message).encode());
    }

    void send(RoutingContext ctx) {
        send(ctx, status, code, getMessage());
    }

    /**
     * Once {@code stored} completes: {@code 202} with its body, or the failure's error ({@code 503}
     * when Kafka did not take {@code what}). Nothing, if the response was already given.
     */
    static void acceptedWhen(RoutingContext ctx, Future<JsonObject> stored, String what) {
        stored.onComplete(done -> {
            if (ctx.response().ended()) {
                return;
            }
            if (done.succeeded()) {
                ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json").end(done.result().encode());
            } else if (done.cause() instanceof ApiError error) {
                error.send(ctx);
            } else {
                send(ctx, 503, "KAFKA_UNAVAILABLE", what + " could not be stored; send it again");
            }
        });
    }
}
