package pipeline.gateway;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * Requests per second per caller, as token buckets: {@code ratePerSecond} tokens refill each second
 * up to a burst of {@code burst}; each request takes one. An empty bucket answers how long until
 * the next token, for {@code Retry-After}.
 */
final class RateLimiter {

    private final double ratePerNano;
    private final double burst;
    private final LongSupplier clock;
    private final ConcurrentMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long updated;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updated = now;
        }
    }

    RateLimiter(double ratePerSecond, int burst, LongSupplier nanoClock) {
        if (ratePerSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("rate limit must be positive with a burst of 1 or more; got "
                    + ratePerSecond + "/s, burst " + burst);
        }
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.clock = nanoClock;
    }

    /** 0 when {@code caller} may go ahead now (a token is taken), else the nanoseconds until it may. */
    long acquire(String caller) {
        long now = clock.getAsLong();
        Bucket bucket = buckets.computeIfAbsent(caller, c -> new Bucket(burst, now));
        synchronized (bucket) {
            bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.updated) * ratePerNano);
            bucket.updated = now;
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - bucket.tokens) / ratePerNano);
        }
    }
}
