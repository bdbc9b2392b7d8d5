package pipeline.worker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import pipeline.modelstore.ModelSnapshot;

/**
 * The worker's HTTP endpoints: {@code /health} (the process runs), {@code /ready} (a model is
 * loaded, every inference loop has joined its group, and none is retrying a failed batch),
 * {@code /metrics} (Prometheus text).
 */
public final class WorkerHttp implements AutoCloseable {

    private final HttpServer server;

    public WorkerHttp(String host, int port, AtomicReference<ModelSnapshot> served, List<InferenceLoop> loops,
                      WorkerMetrics metrics) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.createContext("/health", exchange -> send(exchange, 200, "text/plain", "UP\n"));
        server.createContext("/ready", exchange -> {
            ModelSnapshot model = served.get();
            long waiting = loops.stream().filter(loop -> !loop.isAssigned()).count();
            String failing = loops.stream().map(InferenceLoop::failure).filter(f -> f != null).findFirst().orElse(null);
            if (model == null || waiting > 0 || failing != null) {
                send(exchange, 503, "text/plain", (model == null ? "no model loaded"
                        : waiting > 0 ? waiting + " of " + loops.size() + " inference loops have not joined their group yet"
                        : "a batch failed and is being retried: " + failing) + "\n");
            } else {
                send(exchange, 200, "text/plain", "READY " + model.name() + " v" + model.version() + "\n");
            }
        });
        server.createContext("/metrics", exchange -> send(exchange, 200, "text/plain; version=0.0.4", metrics.scrape()));
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
