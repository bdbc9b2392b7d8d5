package pipeline.gateway;

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
}
