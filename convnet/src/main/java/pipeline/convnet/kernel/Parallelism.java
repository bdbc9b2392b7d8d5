package pipeline.convnet.kernel;

/**
 * The engine's worker threads. Work is split into fixed chunks whose results never depend on which
 * thread ran them, so a fixed thread count (indeed any thread count) gives identical numbers.
 * The threads are a persistent {@link Team}: the caller and its helpers, one region at a time.
 * Tuning knob: system property {@code convnet.threads} (default: available processors).
 */
public final class Parallelism {

    private static volatile Team team = new Team(Integer.getInteger("convnet.threads", Runtime.getRuntime().availableProcessors()));

    /** Body of a parallel loop over {@code [from, to)}. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    private Parallelism() {
    }

    public static int threads() {
        return team.size();
    }

    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count " + threads + " must be 1 or more");
        }
        if (threads != team.size()) {
            Team old = team;
            team = new Team(threads);
            old.close();
        }
    }

    /** Runs {@code body} over {@code [0, total)} in chunks of at least {@code grain}, inline when there is one chunk. */
    public static void forRange(int total, int grain, Range body) {
        int chunks = Math.min(threads() * 4, Math.max(1, total / Math.max(1, grain)));
        if (chunks <= 1 || threads() == 1) {
            body.run(0, total);
            return;
        }
        int step = (total + chunks - 1) / chunks;
        team.run(chunks, c -> {
            int from = c * step;
            int to = Math.min(total, from + step);
            if (from < to) {
                body.run(from, to);
            }
        });
    }
}
