package pipeline.ops;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pipeline.infra.ChildProcess;
import pipeline.infra.InfraException;

/**
 * Runs the stack's services as child processes and keeps them running: one that exits without
 * being asked to is reported on the terminal, with its exit code and log, and started again after a
 * pause that doubles with each crash (1 s up to 30 s). {@link #close()} stops them all.
 */
final class Supervisor implements AutoCloseable {

    private static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final Path workDir;
    private final PrintStream out;
    private final Map<ServiceProcess, ChildProcess> running = new LinkedHashMap<>();
    private final Map<ServiceProcess, Duration> pauses = new LinkedHashMap<>();
    private final Thread watcher;
    private volatile boolean closing;

    /** Starts every service and waits until each is ready. */
    Supervisor(List<ServiceProcess> services, Path workDir, Duration startTimeout, PrintStream out) {
        this.workDir = workDir;
        this.out = out;
        try {
            for (ServiceProcess service : services) {
                running.put(service, service.start(workDir));
                pauses.put(service, FIRST_PAUSE);
            }
            running.forEach((service, process) -> process.awaitReady(service::ready, startTimeout, "answer " + service.readyUrl()));
        } catch (InfraException e) {
            running.values().forEach(p -> p.stop(STOP_GRACE));
            throw e;
        }
        this.watcher = Thread.ofPlatform().daemon().name("stack-supervisor").start(this::watch);
    }

    private void watch() {
        while (!closing) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (running) {
                running.replaceAll((service, process) -> closing || process.isAlive() ? process : restart(service, process));
            }
        }
    }

    private ChildProcess restart(ServiceProcess service, ChildProcess dead) {
        Duration pause = pauses.get(service);
        out.printf("%s exited unexpectedly (code %d); starting it again in %d s. Its log: %s%n", service.name(),
                dead.waitFor(Duration.ofSeconds(1)), pause.toSeconds(), dead.log());
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return dead;
        }
        pauses.put(service, pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2));
        return service.start(workDir);
    }

    void describe(PrintStream out) {
        running.keySet().forEach(service -> service.describe(out));
    }

    @Override
    public void close() {
        closing = true;
        watcher.interrupt();
        synchronized (running) {
            running.values().parallelStream().forEach(process -> process.stop(STOP_GRACE));
        }
    }
}
