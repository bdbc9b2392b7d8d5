package pipeline.gateway;

import io.vertx.ext.web.handler.PlatformHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Lets a request through only with {@code Authorization: Bearer <key>} of a known key holding
 * {@code scope} (401 without a valid key, 403 without the scope), and within the key's rate
 * (429 with {@code Retry-After}).
 */
final class Authentication {

    static final String CALLER = "caller";

    private final Supplier<ApiKeys> keys;
    private final RateLimiter limiter;

    /** @param keys the keys accepted at the moment of each request ({@link ApiKeyRing#current}) */
    Authentication(Supplier<ApiKeys> keys, RateLimiter limiter) {
        this.keys = keys;
        this.limiter = limiter;
    }

    /**
     * A platform handler, so that Vert.x runs it before the body handler: a request without a valid key
     * is refused before the gateway reads (and buffers) its body.
     */
    PlatformHandler require(Scope scope) {
        return ctx -> {
            String header = ctx.request().getHeader("Authorization");
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer");
                ApiError.send(ctx, 401, "UNAUTHENTICATED", "send an API key as 'Authorization: Bearer <key>'");
                return;
            }
            ApiKeys.Caller caller = keys.get().authenticate(header.substring(7).trim()).orElse(null);
            if (caller == null) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                ApiError.send(ctx, 401, "UNAUTHENTICATED", "the API key is not valid; use a key the gateway was configured with");
                return;
            }
            if (!caller.scopes().contains(scope)) {
                ApiError.send(ctx, 403, "FORBIDDEN", "this key (" + caller.name() + ") lacks the '" + scope.label()
                        + "' scope this request needs");
                return;
            }
            long waitNanos = limiter.acquire(caller.name());
            if (waitNanos > 0) {
                long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(waitNanos + 999_999_999L));
                ctx.response().putHeader("Retry-After", String.valueOf(seconds));
                ApiError.send(ctx, 429, "RATE_LIMITED", "this key (" + caller.name() + ") is over its request rate; retry after "
                        + seconds + " s");
                return;
            }
            ctx.put(CALLER, caller);
            ctx.next();
        };
    }
}
