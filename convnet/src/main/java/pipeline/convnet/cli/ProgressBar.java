package pipeline.convnet.cli;

import java.io.PrintStream;

/** One updating line per epoch: progress, images/s, loss, time left. Redraws at most 10 times a second. */
final class ProgressBar {

    private final PrintStream out;
    private long epochStart;
    private long lastDraw;

    ProgressBar(PrintStream out) {
        this.out = out;
    }

    void start() {
        epochStart = System.nanoTime();
        lastDraw = 0;
    }

    void update(int epoch, int epochs, int seen, int total, float loss) {
        long now = System.nanoTime();
        if (seen < total && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        double seconds = (now - epochStart) / 1e9;
        double rate = seen / Math.max(1e-9, seconds);
        int eta = (int) ((total - seen) / Math.max(1e-9, rate));
        int width = 30;
        int filled = (int) ((long) width * seen / total);
        out.printf("\repoch %d/%d [%s%s] %d/%d  %.0f img/s  loss %.4f  ETA %d:%02d ", epoch, epochs,
                "=".repeat(filled), " ".repeat(width - filled), seen, total, rate, loss, eta / 60, eta % 60);
        out.flush();
    }

    double elapsedSeconds() {
        return (System.nanoTime() - epochStart) / 1e9;
    }
}
