package pipeline.schemas.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy in front of the real registry that answers the first {@code failures} requests
 * with a chosen error status, then forwards; it records every path it was asked for.
 */
final class FaultyProxy implements AutoCloseable {

    private final HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();
    private final String target;
    private final AtomicInteger failuresLeft;
    private final int failureStatus;
    final List<String> requests = new CopyOnWriteArrayList<>();

    FaultyProxy(String targetBaseUrl, int failures, int failureStatus) throws IOException {
        this.target = targetBaseUrl;
        this.failuresLeft = new AtomicInteger(failures);
        this.failureStatus = failureStatus;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
        byte[] body = exchange.getRequestBody().readAllBytes();
        if (failuresLeft.getAndDecrement() > 0) {
            byte[] error = ("{\"error_code\":" + failureStatus + "01,\"message\":\"injected failure\"}").getBytes();
            exchange.sendResponseHeaders(failureStatus, error.length);
            exchange.getResponseBody().write(error);
            exchange.close();
            return;
        }
        HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType != null) {
            forward.header("Content-Type", contentType);
        }
        try {
            HttpResponse<byte[]> response = client.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
            exchange.sendResponseHeaders(response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
            exchange.getResponseBody().write(response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.sendResponseHeaders(500, -1);
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        client.close();
    }
}
