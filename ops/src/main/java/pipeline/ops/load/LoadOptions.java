package pipeline.ops.load;

import java.net.URI;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import pipeline.config.ValueType;

/**
 * What {@code ./pipeline load} does, from its command line.
 *
 * @param target         the gateway, e.g. {@code http://127.0.0.1:8080}
 * @param key            the API key (needs the ingest scope; label too with feedback)
 * @param rate           requests per second (open loop), or 0 for a closed loop
 * @param concurrency    requests in flight (closed loop); the open loop's cap on requests in flight
 * @param duration       how long to send, or {@code null} to send {@code count} requests
 * @param count          how many requests to send when there is no duration
 * @param waitFor        {@code ?wait=} for each request (200 with the prediction), or {@code null}
 * @param feedback       fraction of accepted images whose true label is sent back as feedback
 * @param images         a folder of images, or {@code null} for the IDX folder
 * @param idx            an IDX folder ({@code t10k-*}) when {@code images} is {@code null}
 * @param json           where to write the report as JSON too, or {@code null}
 * @param trainer        a trainer's metrics to tell latency during its rounds from latency between them, or {@code null}
 */
public record LoadOptions(URI target, String key, int rate, int concurrency, Duration duration, long count, Duration waitFor,
                          double feedback, Path images, Path idx, String source, Path json, boolean quiet, URI trainer) {

    public static final String USAGE = """
            Usage: pipeline load [--url URL] [--key KEY] (--rate N | --concurrency N) (--duration D | --count N)
                                 [--wait D] [--feedback FRACTION] [--images DIR | --idx DIR] [--source NAME] [--json FILE] [--quiet]
                                 [--trainer METRICS-URL]

              --url          the gateway (default http://127.0.0.1:8080; any other host must be given here)
              --key          API key (default: the local stack's, from .local-stack/api-key)
              --rate         open loop: requests per second, whatever the answers take
              --concurrency  closed loop: requests in flight (with --rate: the most in flight, default 256)
              --duration     e.g. 60s; or --count: a number of requests (default --count 1000)
              --wait         ask for the prediction in the answer (e.g. 5s): measures the round trip through a worker,
                             and accuracy against the known labels
              --feedback     fraction of accepted images whose true label is sent to /v1/images/{id}/feedback
              --images       a folder of images (a subfolder's name is its images' label); default: the IDX sample
              --idx          an IDX folder with t10k-images/labels (default convnet/src/test/resources/fashion-mnist-sample)
              --json         write the report as JSON to this file too
              --trainer      a trainer's metrics (the local stack's: http://127.0.0.1:9500/metrics): latency is reported
                             apart for requests served while a training round ran and for those between rounds""";

    public static LoadOptions parse(List<String> args, Path defaultKeyFile) {
        Map<String, String> given = new HashMap<>();
        List<String> flags = List.of("--url", "--key", "--rate", "--concurrency", "--duration", "--count", "--wait", "--feedback",
                "--images", "--idx", "--source", "--json", "--trainer");
        boolean quiet = false;
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty()) {
            String flag = rest.removeFirst();
            if (flag.equals("--quiet")) {
                quiet = true;
            } else if (flags.contains(flag) && !rest.isEmpty()) {
                given.put(flag, rest.removeFirst());
            } else {
                throw new IllegalArgumentException(flags.contains(flag) ? flag + " needs a value" : "unknown option '" + flag
                        + "'; expected one of " + flags + " or --quiet");
            }
        }
        URI target = URI.create(given.getOrDefault("--url", "http://127.0.0.1:8080"));
        if (target.getHost() == null || !(target.getScheme().equals("http") || target.getScheme().equals("https"))) {
            throw new IllegalArgumentException("--url '" + target + "' must be an http(s) address such as http://127.0.0.1:8080");
        }
        String key = given.get("--key");
        if (key == null) {
            key = readKey(defaultKeyFile);
        }
        int rate = given.containsKey("--rate") ? ValueType.integer(1, 1_000_000).parse(given.get("--rate")) : 0;
        int concurrency = given.containsKey("--concurrency") ? ValueType.integer(1, 10_000).parse(given.get("--concurrency"))
                : rate > 0 ? 256 : 8;
        Duration duration = given.containsKey("--duration") ? ValueType.duration().parse(given.get("--duration")) : null;
        long count = given.containsKey("--count") ? ValueType.integer(1, Integer.MAX_VALUE).parse(given.get("--count"))
                : duration == null ? 1000 : Long.MAX_VALUE;
        Duration waitFor = given.containsKey("--wait") ? ValueType.duration().parse(given.get("--wait")) : null;
        double feedback = given.containsKey("--feedback") ? Double.parseDouble(given.get("--feedback")) : 0;
        if (!(feedback >= 0 && feedback <= 1)) {
            throw new IllegalArgumentException("--feedback must be a fraction from 0 to 1; got " + given.get("--feedback"));
        }
        Path images = given.containsKey("--images") ? Path.of(given.get("--images")) : null;
        Path idx = Path.of(given.getOrDefault("--idx", "convnet/src/test/resources/fashion-mnist-sample"));
        Path json = given.containsKey("--json") ? Path.of(given.get("--json")) : null;
        return new LoadOptions(target, key, rate, concurrency, duration, count, waitFor, feedback, images, idx,
                given.getOrDefault("--source", "load"), json, quiet, given.containsKey("--trainer") ? URI.create(given.get("--trainer")) : null);
    }

    private static String readKey(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("no --key given and no local stack key in " + file
                    + " (start the stack with ./pipeline run, or pass --key)");
        }
    }

    public String describe() {
        String shape = rate > 0 ? "open loop at " + rate + " requests/s (at most " + concurrency + " in flight)"
                : "closed loop with " + concurrency + " in flight";
        String length = duration != null ? "for " + duration.toSeconds() + " s" : count + " requests";
        return shape + ", " + length + (waitFor == null ? "" : ", waiting up to " + waitFor.toMillis() + " ms for each prediction")
                + (feedback > 0 ? ", feedback on " + Math.round(feedback * 100) + " %" : "") + " → " + target;
    }
}
