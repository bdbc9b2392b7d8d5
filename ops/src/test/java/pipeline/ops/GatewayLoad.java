package pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import pipeline.ops.load.LoadGenerator;
import pipeline.ops.load.LoadImages;
import pipeline.ops.load.LoadOptions;
import pipeline.ops.load.LoadReport;

/** A load of images through a gateway, running in the background, that keeps the id of every image the gateway accepted. */
record GatewayLoad(LoadGenerator generator, CompletableFuture<Answers> answers) {

    /**
     * What a load got back: its report, the ids accepted (202), how many of them came after the first
     * 503, the first few answers that were neither (status and body), for a failure's message, and the
     * longest time between two acceptances (while a fault kept the gateway from taking images).
     */
    record Answers(LoadReport report, Set<String> accepted, long acceptedAfterFirst503, List<String> unexpected,
                   Duration longestGap) {
    }

    /**
     * Starts sending {@code images} to {@code gateway} with {@code key}, as {@code source}.
     *
     * @param shape the load's rate and length as {@code pipeline load} takes them: {@code --rate 50 --duration 10s}
     */
    static GatewayLoad start(URI gateway, String key, List<LoadImages.Image> images, String source, String... shape) {
        List<String> args = new ArrayList<>(List.of("--url", gateway.toString(), "--key", key, "--source", source, "--quiet"));
        args.addAll(List.of(shape));
        LoadOptions options = LoadOptions.parse(args, Path.of("unused"));
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        AtomicBoolean seen503 = new AtomicBoolean();
        AtomicLong afterFirst503 = new AtomicLong();
        List<String> unexpected = new CopyOnWriteArrayList<>();
        AtomicLong lastAccepted = new AtomicLong(System.nanoTime());
        AtomicLong longestGap = new AtomicLong();
        LoadGenerator generator = new LoadGenerator(options, images, System.err, (id, image, status, body) -> {
            if (status == 503) {
                seen503.set(true);
            } else if (status == 202) {
                accepted.add(id);
                long now = System.nanoTime();
                longestGap.accumulateAndGet(now - lastAccepted.getAndSet(now), Math::max);
                if (seen503.get()) {
                    afterFirst503.incrementAndGet();
                }
            } else if (unexpected.size() < 5) {
                unexpected.add(status + " " + body);
            }
        });
        return new GatewayLoad(generator, CompletableFuture.supplyAsync(() -> {
            try {
                LoadReport report = generator.run();
                return new Answers(report, accepted, afterFirst503.get(), unexpected, Duration.ofNanos(longestGap.get()));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }));
    }

    /**
     * Labels {@code images} through {@code POST /v1/labels}, as a labelling tool would, the i-th (from {@code first})
     * as image {@code idPrefix + i}; each must be accepted.
     */
    static void label(HttpClient http, URI gateway, String key, List<LoadImages.Image> images, String idPrefix, int first) {
        for (int i = 0; i < images.size(); i++) {
            LoadImages.Image image = images.get(i);
            HttpRequest request = HttpRequest.newBuilder(gateway.resolve("/v1/labels?label="
                            + URLEncoder.encode(image.label(), StandardCharsets.UTF_8) + "&id=" + idPrefix + (first + i)))
                    .header("Authorization", "Bearer " + key).header("Content-Type", image.contentType())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(image.bytes())).build();
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as("label %d: %s", first + i, response.body()).isEqualTo(202);
            } catch (IOException | InterruptedException e) {
                throw new AssertionError("label " + (first + i) + " not sent", e);
            }
        }
    }

    /** Stops the load now (if its duration or count has not already) and returns what it got back. */
    Answers finish() throws Exception {
        generator.stop();
        return answers.get(3, TimeUnit.MINUTES);
    }
}
