package pipeline.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * An HTTP front of the real registry that answers the first {@code failures} requests with a chosen
 * error status, then forwards; it records every path it was asked for. As
 * {@link #secured}, it is what fronts a registry in many deployments: HTTPS with a certificate of a
 * private CA, and 401 for a request without the expected {@code Authorization}.
 */
public final class RegistryFront implements AutoCloseable {

    private final HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();
    private final String target;
    private final AtomicInteger failuresLeft;
    private final int failureStatus;
    private final String authorization;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> upgrades = new CopyOnWriteArrayList<>();

    public RegistryFront(String targetBaseUrl, int failures, int failureStatus) throws IOException {
        this(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), targetBaseUrl, failures, failureStatus, null);
    }

    private RegistryFront(HttpServer server, String targetBaseUrl, int failures, int failureStatus, String authorization) {
        this.target = targetBaseUrl;
        this.failuresLeft = new AtomicInteger(failures);
        this.failureStatus = failureStatus;
        this.authorization = authorization;
        this.server = server;
        server.createContext("/", this::handle);
        server.start();
    }

    /** An HTTPS proxy serving {@code certificates}' server certificate that forwards only requests with {@code authorization}. */
    public static RegistryFront secured(String targetBaseUrl, TestCertificates certificates, String authorization) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        try {
            KeyStore keys = KeyStore.getInstance(certificates.serverKeystore().toFile(), certificates.password().toCharArray());
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keys, certificates.password().toCharArray());
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(factory.getKeyManagers(), null, null);
            server.setHttpsConfigurator(new HttpsConfigurator(tls));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot serve HTTPS with " + certificates.serverKeystore(), e);
        }
        return new RegistryFront(server, targetBaseUrl, 0, 0, authorization);
    }

    /** Every request it was asked, as {@code "GET /schemas/ids/1"}. */
    public List<String> requests() {
        return requests;
    }

    /** The {@code Upgrade} header of every request that had one. */
    public List<String> upgrades() {
        return upgrades;
    }

    public String url() {
        return (server instanceof HttpsServer ? "https" : "http") + "://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
        upgrades.addAll(exchange.getRequestHeaders().getOrDefault("Upgrade", List.of()));
        byte[] body = exchange.getRequestBody().readAllBytes();
        if (authorization != null && !authorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            byte[] error = "{\"error_code\":40101,\"message\":\"Unauthorized\"}".getBytes();
            exchange.sendResponseHeaders(401, error.length);
            exchange.getResponseBody().write(error);
            exchange.close();
            return;
        }
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
