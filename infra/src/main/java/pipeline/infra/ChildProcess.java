package pipeline.infra;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child JVM (or any program) whose output goes to a log file, which is stopped with SIGTERM and,
 * after a grace period, SIGKILL, together with any process it started.
 *
 * <p>Where {@code setpriv} exists (util-linux), the child is also started with
 * {@code --pdeathsig TERM}: if this JVM is killed outright, the kernel stops the child, so no
 * broker or registry is orphaned. The kernel ties that signal to the <em>thread</em> that forked the
 * child, so every child is forked from one launcher thread that lives as long as the JVM. Children
 * run in a session of their own ({@code setsid}), so a Ctrl-C at the terminal reaches only the
 * parent, which then stops them in order.
 */
public final class ChildProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChildProcess.class);
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final ExecutorService LAUNCHER = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "child-process-launcher");
        thread.setDaemon(true);
        return thread;
    });

    private static final Set<ChildProcess> RUNNING = ConcurrentHashMap.newKeySet();

    private final String name;
    private final Process process;
    private final Path log;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** This JVM's class path with every entry made absolute, for children that run in other folders. */
    public static String absoluteClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    /**
     * {@code command} as background work that must not take the cores from serving when both want them
     * (training beside inference): under Linux's {@code SCHED_IDLE} policy ({@code chrt --idle 0}), which
     * runs it only on CPU time nothing else wants; with {@code nice -n 19} where {@code chrt} is missing;
     * as is where both are.
     */
    public static List<String> inBackground(List<String> command) {
        List<String> prefix = Files.isExecutable(Path.of("/usr/bin/chrt")) ? List.of("/usr/bin/chrt", "--idle", "0")
                : Files.isExecutable(Path.of("/usr/bin/nice")) ? List.of("/usr/bin/nice", "-n", "19") : List.of();
        List<String> background = new ArrayList<>(prefix);
        background.addAll(command);
        return background;
    }

    /** The {@code java} of the running JVM, so children run on the same JDK. */
    public static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Starts {@code command} in {@code workDir}, appending its stdout and stderr to {@code log}.
     *
     * @param name what it is, for messages ("Kafka broker")
     */
    public static ChildProcess start(String name, List<String> command, Path workDir, Path log) {
        return start(name, command, workDir, log, Map.of());
    }

    /** As {@link #start(String, List, Path, Path)}, with extra environment variables. */
    public static ChildProcess start(String name, List<String> command, Path workDir, Path log, Map<String, String> env) {
        return start(name, command, workDir, log, env, variable -> false);
    }

    /** As above, without the variables of this process's environment that {@code withheld} names ({@code env}'s stay). */
    public static ChildProcess start(String name, List<String> command, Path workDir, Path log, Map<String, String> env,
                                     Predicate<String> withheld) {
        List<String> full = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            full.add(SETSID.toString());
        }
        if (Files.isExecutable(SETPRIV)) {
            full.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "TERM", "--"));
        }
        full.addAll(command);
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            ProcessBuilder builder = new ProcessBuilder(full)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().keySet().removeIf(withheld);
            builder.environment().putAll(env);
            Process process = LAUNCHER.submit(builder::start).get();
            LOG.debug("Started {} (pid {}): {}", name, process.pid(), full);
            ChildProcess child = new ChildProcess(name, process, log);
            RUNNING.add(child);
            process.onExit().thenRun(() -> RUNNING.remove(child));
            return child;
        } catch (IOException e) {
            throw new InfraException("Could not start the " + name + ": " + e.getMessage(), e);
        } catch (ExecutionException e) {
            throw new InfraException("Could not start the " + name + " (" + String.join(" ", command.subList(0, 1))
                    + "): " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InfraException("Interrupted while starting the " + name, e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** Waits for the process to end and returns its exit code. */
    public int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new InfraException("The " + name + " (pid " + pid() + ") did not finish within "
                        + timeout.toSeconds() + " s; its log: " + log);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InfraException("Interrupted while waiting for the " + name, e);
        }
    }

    /**
     * Polls {@code ready} until it holds; fails early, with the log's tail, if the process exits.
     *
     * @param what the condition in words, e.g. "answer on 127.0.0.1:9092"
     */
    public void awaitReady(BooleanSupplier ready, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new InfraException("The " + name + " exited with code " + process.exitValue()
                        + " before it could " + what + ". Its log: " + log + lastLines());
            }
            if (ready.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new InfraException("The " + name + " (pid " + pid() + ") did not " + what + " within "
                        + timeout.toSeconds() + " s. Its log: " + log + lastLines());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InfraException("Interrupted while waiting for the " + name + " to " + what, e);
            }
        }
    }

    /** Stops every child this JVM started that is still running, e.g. from a shutdown hook during start-up. */
    public static void stopAll(Duration grace) {
        List.copyOf(RUNNING).parallelStream().forEach(child -> child.stop(grace));
    }

    /** SIGTERM, then SIGKILL after {@code grace}; descendants too. Safe to call twice. */
    public void stop(Duration grace) {
        List<ProcessHandle> descendants = process.descendants().toList();
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("The {} (pid {}) did not stop within {} s of SIGTERM; killing it", name, pid(), grace.toSeconds());
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    /** SIGKILL at once, no chance to clean up: a crash; descendants too. */
    public void kill() {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }

    private String lastLines() {
        try {
            List<String> lines = Files.readAllLines(log);
            List<String> tail = lines.subList(Math.max(0, lines.size() - 5), lines.size());
            return tail.isEmpty() ? "" : "\n  last lines:\n    " + String.join("\n    ", tail);
        } catch (IOException e) {
            return "";
        }
    }
}
