package pipeline.ops;

import java.net.URI;
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

    /** Stops the load now (if its duration or count has not already) and returns what it got back. */
    Answers finish() throws Exception {
        generator.stop();
        return answers.get(3, TimeUnit.MINUTES);
    }
}
