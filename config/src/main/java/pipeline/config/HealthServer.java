package pipeline.config;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The endpoints every service process serves the same way (JDK HTTP server, virtual threads):
 * {@code /health} (the process runs: 200 {@code UP}), {@code /ready} (200 with what is ready, or 503
 * with why not) and {@code /metrics} (Prometheus text).
 */
public final class HealthServer implements AutoCloseable {

    /** The answer of {@code /ready}: ready or not, in words. */
    public record Readiness(boolean ready, String text) {
        public static Readiness ready(String text) {
            return new Readiness(true, text);
        }

        public static Readiness notReady(String why) {
            return new Readiness(false, why);
        }
    }

    private final HttpServer server;

    /** @param port 0 for any free port */
    public HealthServer(String host, int port, Supplier<Readiness> readiness, Supplier<String> metrics) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.createContext("/health", exchange -> send(exchange, 200, "text/plain", "UP\n"));
        server.createContext("/ready", exchange -> {
            Readiness now = readiness.get();
            send(exchange, now.ready() ? 200 : 503, "text/plain", now.text() + "\n");
        });
        server.createContext("/metrics", exchange -> send(exchange, 200, "text/plain; version=0.0.4", metrics.get()));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
