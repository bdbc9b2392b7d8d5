package pipeline.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PfxOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.TimeoutHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import pipeline.images.ImageProbe;
import pipeline.schemas.avro.ModelAccuracy;
import pipeline.schemas.avro.TrainingMetrics;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.Topics;

/**
 * The HTTP API on Vert.x: routes, the order of checks (key and scope before the body is read,
 * body size while it is read, content after), and JSON for every error, including those Vert.x
 * raises itself (404, 405, 413).
 */
public final class GatewayServer implements AutoCloseable {

    private final Vertx vertx;
    private final ImagePublisher publisher;
    private final PredictionCache predictions;
    private final Thread predictionReader;
    private final ModelCatalog catalog;
    private final Thread catalogReader;
    /** Live accuracy and training rounds for {@code /v1/stats}, each read on a thread of its own. */
    private final List<TopicFeed<?>> statsFeeds;
    private final List<Thread> statsReaders;
    private final HttpServer server;
    private final Router router;
    /** Where multipart parts wait while a request is handled (each request deletes its own). */
    private final Path uploads;

    public GatewayServer(GatewaySettings settings, SchemaRegistryClient registry)
            throws InterruptedException, ExecutionException, TimeoutException, IOException {
        this.vertx = Vertx.vertx();
        ApiKeyRing keys = ApiKeyRing.of(settings);
        if (keys.rotating()) {
            vertx.setPeriodic(ApiKeyRing.REFRESH.toMillis(), id -> vertx.executeBlocking(() -> {
                keys.refresh();
                return null;
            }, false));
        }
        Authentication auth = new Authentication(keys::current,
                new RateLimiter(settings.ratePerSecond(), settings.burst(), System::nanoTime));
        this.publisher = new ImagePublisher(vertx, settings.kafka(), registry, settings.requestTimeout());
        this.predictions = new PredictionCache(vertx, settings.kafka(), registry, settings.cacheSize());
        this.predictionReader = Thread.ofPlatform().name("gateway-predictions").start(predictions);
        this.catalog = new ModelCatalog(settings.kafka(), registry);
        this.catalogReader = Thread.ofPlatform().name("gateway-models").start(catalog);
        SystemStats stats = new SystemStats(System::currentTimeMillis);
        predictions.listen(stats::prediction);
        this.statsFeeds = List.of(
                new TopicFeed<>(settings.kafka(), registry, Topics.MODEL_ACCURACY.name(), ModelAccuracy.class, stats::accuracy),
                new TopicFeed<>(settings.kafka(), registry, Topics.TRAINING_METRICS.name(), TrainingMetrics.class,
                        stats::training));
        this.statsReaders = statsFeeds.stream().map(feed -> Thread.ofPlatform().name("gateway-stats").start(feed)).toList();
        long side = settings.maxImageSide();
        ImageProbe probe = new ImageProbe(side * side);
        ImageCheck check = new ImageCheck(vertx, probe);
        RecentImages recent = new RecentImages(1024);
        ImageRoutes routes = ImageRoutes.parse(settings.routes());
        ImageIngest ingest = new ImageIngest(check, publisher, routes, predictions, recent,
                settings.maxWait());

        GatewayMetrics metrics = new GatewayMetrics();
        metrics.follow(predictions);
        metrics.follow(catalog);
        statsFeeds.forEach(metrics::follow);
        String openApi = openApiDocument();
        this.uploads = Files.createTempDirectory("gateway-uploads");
        Router router = Router.router(vertx);
        router.route().handler(metrics::observe);
        // The web UI: static files from the class path, no key needed to load them (the page asks for one).
        router.route("/").handler(ctx -> ctx.reroute("/ui/index.html"));
        router.route("/ui/*").handler(ctx -> {
            ctx.response().putHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:");
            ctx.next();
        }).handler(StaticHandler.create("web"));
        router.get("/metrics").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4").end(metrics.scrape()));
        router.get("/v1/openapi.json").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json").end(openApi));
        router.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
        router.get("/ready").handler(ctx -> {
            String down = publisher.unavailable();
            if (down == null) {
                ctx.json(new JsonObject().put("status", "READY"));
            } else {
                ApiError.send(ctx, 503, "KAFKA_UNAVAILABLE", "not taking images: Kafka is unreachable (" + down + ")");
            }
        });
        router.post("/v1/images").handler(TimeoutHandler.create(settings.requestTimeout().plus(settings.maxWait()).toMillis() + 1000, 503))
                .handler(auth.require(Scope.INGEST))
                .handler(BodyHandler.create(uploads.toString()).setBodyLimit(settings.maxBodyBytes()).setDeleteUploadedFilesOnEnd(true))
                .handler(ingest);
        TrainingInput training = new TrainingInput(check, publisher, routes, catalog, settings.acceptNewClasses());
        router.post("/v1/labels").handler(auth.require(Scope.LABEL))
                .handler(BodyHandler.create(false).setBodyLimit(settings.maxBodyBytes())).handler(training::label);
        router.post("/v1/images/:id/feedback").handler(auth.require(Scope.LABEL))
                .handler(BodyHandler.create(false).setBodyLimit(64 * 1024)).handler(training::feedback);
        ModelApi models = new ModelApi(catalog, publisher);
        router.get("/v1/models").handler(auth.require(Scope.READ)).handler(models::list);
        router.get("/v1/models/:version").handler(auth.require(Scope.READ)).handler(models::get);
        router.post("/v1/models/:version/promote").handler(auth.require(Scope.ADMIN)).handler(models::promote);
        ModelInsight insight = new ModelInsight(vertx, catalog, check, probe);
        router.get("/v1/models/:version/filters.png").handler(auth.require(Scope.READ)).handler(insight::filters);
        router.post("/v1/models/:version/inspect").handler(auth.require(Scope.READ))
                .handler(BodyHandler.create(false).setBodyLimit(settings.maxBodyBytes())).handler(insight::inspect);
        router.get("/v1/models/:version/layers/:layer/maximum-response.png").handler(auth.require(Scope.READ))
                .handler(insight::maximumResponse);
        router.get("/v1/stats").handler(auth.require(Scope.READ)).handler(stats::handle);
        router.get("/v1/predictions/stream").handler(auth.require(Scope.READ)).handler(new PredictionStream(vertx, predictions, recent));
        router.get("/v1/predictions/:id").handler(auth.require(Scope.READ)).handler(ctx -> {
            String id = ctx.pathParam("id");
            predictions.get(id).ifPresentOrElse(p -> ctx.json(PredictionJson.of(p)), () -> ApiError.send(ctx, 404,
                    "UNKNOWN_PREDICTION", "no recent prediction for image '" + id + "': not predicted yet, or too old to be kept"));
        });
        router.errorHandler(404, ctx -> ApiError.send(ctx, 404, "NOT_FOUND",
                ctx.request().method() + " " + ctx.request().path() + " is not part of the API; see /v1"));
        router.errorHandler(405, ctx -> ApiError.send(ctx, 405, "METHOD_NOT_ALLOWED",
                ctx.request().method() + " is not allowed on " + ctx.request().path()));
        router.errorHandler(413, ctx -> ApiError.send(ctx, 413, "BODY_TOO_LARGE",
                "the body is over the limit of " + settings.maxBodyBytes() + " bytes; send smaller images"));
        router.errorHandler(503, ctx -> ApiError.send(ctx, 503, "TIMEOUT",
                "the request took longer than " + settings.requestTimeout().toMillis() + " ms; send it again"));
        router.errorHandler(500, ctx -> ApiError.send(ctx, 500, "INTERNAL",
                "the gateway failed on this request; it has been logged"));

        this.router = router;
        // No HTTP/2 upgrade over cleartext: the JDK's HttpClient asks for it by default, and a response
        // of some 17 KB (the OpenAPI document) to an upgrading request once never arrived. HTTP/2 stays
        // available over TLS (ALPN).
        HttpServerOptions options = new HttpServerOptions().setHost(settings.host()).setPort(settings.port())
                .setHttp2ClearTextEnabled(false);
        if (settings.tls()) {
            options.setSsl(true).setKeyCertOptions(new PfxOptions().setPath(settings.tlsKeystore()).setPassword(settings.tlsPassword()));
        }
        this.server = vertx.createHttpServer(options)
                .requestHandler(router).listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** The API's OpenAPI 3 description, served at {@code /v1/openapi.json}. */
    static String openApiDocument() {
        try (InputStream in = GatewayServer.class.getResourceAsStream("openapi.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("the gateway jar lacks pipeline/gateway/openapi.json", e);
        }
    }

    /** The routes served, as {@code METHOD path} with path parameters in OpenAPI's {@code {name}} form. */
    List<String> routes() {
        return router.getRoutes().stream().filter(r -> r.getPath() != null && r.methods() != null)
                .flatMap(r -> r.methods().stream().map(m -> m.name() + " " + r.getPath().replaceAll(":(\\w+)", "{$1}")))
                .distinct().sorted().toList();
    }

    private void deleteUploads() {
        try (Stream<Path> left = Files.walk(uploads)) {
            left.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new IllegalStateException("cannot remove the upload folder " + uploads, e);
        }
    }

    /** The port listened on (useful with port 0). */
    public int port() {
        return server.actualPort();
    }

    @Override
    public void close() {
        try {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the gateway's HTTP server did not close", e);
        } finally {
            predictions.close();
            catalog.close();
            statsFeeds.forEach(TopicFeed::close);
            try {
                predictionReader.join(Duration.ofSeconds(10));
                catalogReader.join(Duration.ofSeconds(10));
                for (Thread reader : statsReaders) {
                    reader.join(Duration.ofSeconds(10));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            publisher.close();
            vertx.close();
            deleteUploads();
        }
    }
}
