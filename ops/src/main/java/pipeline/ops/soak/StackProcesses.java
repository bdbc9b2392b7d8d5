package pipeline.ops.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The local stack's processes as {@code /proc} shows them, by name: each service by the
 * {@code -Dpipeline.service=NAME} its command line starts with ({@code gateway}, {@code worker-1},
 * {@code trainer}), the broker ({@code kafka}) and the registry ({@code registry}); with each one's
 * resident memory. Linux only.
 */
final class StackProcesses {

    private static final Pattern SERVICE = Pattern.compile("-Dpipeline\\.service=([A-Za-z0-9-]+)\u0000");
    private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");

    /** A process of the stack now: its pid and resident memory (MiB). */
    record Sample(long pid, double rssMiB) {
    }

    private StackProcesses() {
    }

    /** Every process of the stack running now, by name. */
    static Map<String, Sample> now() throws IOException {
        Map<String, Sample> found = new TreeMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                String name = name(entry);
                if (name != null) {
                    double rss = rssMiB(entry);
                    if (rss > 0) {
                        found.put(name, new Sample(Long.parseLong(entry.getFileName().toString()), rss));
                    }
                }
            }
        }
        return found;
    }

    private static String name(Path process) {
        String command;
        try {
            command = Files.readString(process.resolve("cmdline"));
        } catch (IOException e) {
            return null; // ended meanwhile, or not ours to read
        }
        Matcher service = SERVICE.matcher(command);
        if (service.find()) {
            return service.group(1);
        }
        if (command.contains("\u0000kafka.Kafka\u0000")) {
            return "kafka";
        }
        return command.contains("quarkus-run.jar") ? "registry" : null;
    }

    private static double rssMiB(Path process) {
        try {
            Matcher rss = RSS.matcher(Files.readString(process.resolve("status")));
            return rss.find() ? Long.parseLong(rss.group(1)) / 1024.0 : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
