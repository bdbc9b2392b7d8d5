package pipeline.gateway;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's Prometheus metrics: {@code gateway_requests_seconds} (count and latency by route
 * template, method and status, so refusals show by kind) and the Kafka producer's view through the
 * request outcomes. Route templates, never raw paths, keep the label set bounded.
 */
final class GatewayMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    GatewayMetrics() {
        // GC pauses and heap, as pipeline soak reads them.
        new JvmGcMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
    }

    /** Records the request when its response ends. */
    void observe(RoutingContext ctx) {
        long start = System.nanoTime();
        ctx.addEndHandler(done -> {
            String route = ctx.currentRoute() == null || ctx.currentRoute().getPath() == null ? "unmatched" : ctx.currentRoute().getPath();
            Timer.builder("gateway.requests").description("HTTP requests by route, method and status")
                    .tag("route", route).tag("method", ctx.request().method().name())
                    .tag("status", String.valueOf(ctx.response().getStatusCode()))
                    .publishPercentileHistogram()
                    .register(registry).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        });
        ctx.next();
    }

    /** {@code gateway_records_skipped} per followed topic: records that are not what the topic carries. */
    void follow(TopicFollower<?> follower) {
        Gauge.builder("gateway.records.skipped", follower::skipped).tag("topic", follower.topic())
                .description("records skipped on a followed topic because they are not what it carries").register(registry);
    }

    String scrape() {
        return registry.scrape();
    }
}
