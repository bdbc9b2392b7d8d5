package pipeline.ops.soak;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;

/**
 * What a soak recorded, as a table (one row a minute), a plot (resident memory of every process, and
 * latency, against minutes) and a verdict: after {@code warmUp} minutes no process grew by more than
 * 10 %, nothing failed and no process was restarted, and p99 stayed within 1.5× of where it was after
 * warm-up. The warm-up should last until the stack's bounded buffers are full (the gateway's prediction
 * cache, the trainer's replay buffer): until then their growth is not a leak.
 */
record SoakReport(List<SoakMinute> minutes, String load, int warmUp) {

    static final double MAX_GROWTH = 0.10;
    static final double MAX_P99_RISE = 1.5;

    /** The verdict, each part with the numbers it rests on. */
    record Verdict(boolean flatMemory, boolean noFailure, boolean stableP99, List<String> findings) {
        boolean holds() {
            return flatMemory && noFailure && stableP99;
        }
    }

    Verdict verdict() {
        List<String> findings = new ArrayList<>();
        List<SoakMinute> settled = minutes.subList(warmUp, minutes.size());
        List<SoakMinute> early = settled.subList(0, Math.min(3, settled.size()));
        List<SoakMinute> late = settled.subList(Math.max(0, settled.size() - 3), settled.size());
        boolean flat = true;
        for (String name : names()) {
            double before = maxRss(early, name);
            double after = maxRss(late, name);
            double growth = after / before - 1;
            flat &= !(growth > MAX_GROWTH);
            findings.add(String.format(Locale.ROOT, "%s: %.0f → %.0f MiB (%+.1f %%)", name, before, after, 100 * growth));
        }
        long failed = minutes.stream().mapToLong(SoakMinute::failed).sum();
        long restarts = names().stream().mapToLong(name -> minutes.stream().map(m -> m.processes().get(name))
                .filter(s -> s != null).mapToLong(StackProcesses.Sample::pid).distinct().count() - 1).sum();
        findings.add(failed + " failed requests, " + restarts + " process restarts");
        double p99Early = median(settled.subList(0, Math.max(1, settled.size() / 3)), SoakMinute::p99Millis);
        double p99Late = median(settled.subList(settled.size() - Math.max(1, settled.size() / 3), settled.size()), SoakMinute::p99Millis);
        findings.add(String.format(Locale.ROOT, "p99, median of the first and last thirds after warm-up: %.1f → %.1f ms", p99Early, p99Late));
        return new Verdict(flat, failed == 0 && restarts == 0, p99Late <= MAX_P99_RISE * p99Early, findings);
    }

    String markdown() {
        List<String> names = names();
        StringBuilder md = new StringBuilder();
        md.append("Load: ").append(load).append("; warm-up: the first ").append(warmUp).append(" minutes.\n\n");
        md.append("| minute | requests | failed | p50 ms | p99 ms | ")
                .append(names.stream().map(n -> n + " RSS MiB").collect(Collectors.joining(" | ")))
                .append(" | GC pauses ms (gateway / worker-1 / trainer) | longest pause ms | lag | rounds |\n");
        md.append("| ---: ".repeat(5 + names.size() + 4)).append("|\n");
        for (SoakMinute m : minutes) {
            md.append(String.format(Locale.ROOT, "| %d | %d | %d | %.1f | %.1f | ", m.minute(), m.requests(), m.failed(), m.p50Millis(),
                    m.p99Millis()));
            for (String name : names) {
                StackProcesses.Sample s = m.processes().get(name);
                md.append(s == null ? "–" : String.format(Locale.ROOT, "%.0f", s.rssMiB())).append(" | ");
            }
            md.append(m.gcMillis().values().stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).collect(Collectors.joining(" / ")))
                    .append(" | ").append(String.format(Locale.ROOT, "%.0f", m.gcMaxMillis().values().stream()
                            .mapToDouble(Double::doubleValue).filter(v -> !Double.isNaN(v)).max().orElse(Double.NaN)))
                    .append(String.format(Locale.ROOT, " | %.0f | %.0f |%n", m.lag(), m.rounds()));
        }
        Verdict verdict = verdict();
        md.append("\nVerdict: ").append(verdict.holds() ? "holds" : "does not hold").append(String.format(Locale.ROOT,
                " (flat memory, at most +%.0f %% after warm-up: %s; no failure or restart: %s; p99 within %.1f×: %s).%n",
                100 * MAX_GROWTH, verdict.flatMemory() ? "yes" : "no", verdict.noFailure() ? "yes" : "no", MAX_P99_RISE,
                verdict.stableP99() ? "yes" : "no"));
        verdict.findings().forEach(f -> md.append("- ").append(f).append('\n'));
        return md.toString();
    }

    /** {@code gateway 310, kafka 720, …} MiB: a minute's memory on one line. */
    static String rssLine(SoakMinute minute) {
        return minute.processes().entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue().rssMiB())).collect(Collectors.joining(", ")) + " MiB";
    }

    /** Resident memory of every process (top) and p50/p99 latency (bottom) against minutes. */
    void draw(Path file) throws IOException {
        int width = 900;
        int height = 640;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        List<String> names = names();
        Color[] palette = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
            new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};
        List<Series> memory = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            memory.add(new Series(name, palette[i % palette.length], m -> m.processes().containsKey(name)
                    ? m.processes().get(name).rssMiB() : Double.NaN));
        }
        panel(g, "Resident memory (MiB) per process", memory, 20, width, 290);
        panel(g, "Latency per minute (ms)", List.of(new Series("p50", palette[0], SoakMinute::p50Millis),
                new Series("p99", palette[3], SoakMinute::p99Millis)), 330, width, 290);
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private record Series(String name, Color color, ToDoubleFunction<SoakMinute> value) {
    }

    private void panel(Graphics2D g, String title, List<Series> series, int top, int width, int height) {
        int left = 70;
        int right = 150;
        int bottom = top + height - 30;
        int plotTop = top + 25;
        double max = series.stream().flatMapToDouble(s -> minutes.stream().mapToDouble(s.value()))
                .filter(v -> !Double.isNaN(v)).max().orElse(1) * 1.1;
        g.setColor(Color.BLACK);
        g.drawString(title, left, top + 12);
        g.drawLine(left, bottom, width - right, bottom);
        g.drawLine(left, plotTop, left, bottom);
        for (int tick = 0; tick <= 4; tick++) {
            int y = bottom - (bottom - plotTop) * tick / 4;
            g.setColor(new Color(0xdddddd));
            g.drawLine(left + 1, y, width - right, y);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%.0f", max * tick / 4), 10, y + 4);
        }
        int n = minutes.size();
        int step = Math.max(1, n / 10);
        for (int m = 0; m < n; m += step) {
            g.drawString(Integer.toString(minutes.get(m).minute()), x(m, n, left, width - right) - 4, bottom + 14);
        }
        g.drawString("minute", (width - right) / 2, bottom + 27);
        int warmUpEnd = x(warmUp - 1, n, left, width - right);
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
        g.drawLine(warmUpEnd, plotTop, warmUpEnd, bottom);
        g.drawString("warm-up", warmUpEnd - 52, plotTop + 12);
        g.setStroke(new BasicStroke(2f));
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            g.setColor(s.color());
            double[] values = minutes.stream().mapToDouble(s.value()).toArray();
            for (int m = 1; m < n; m++) {
                if (!Double.isNaN(values[m - 1]) && !Double.isNaN(values[m])) {
                    g.drawLine(x(m - 1, n, left, width - right), y(values[m - 1], max, plotTop, bottom),
                            x(m, n, left, width - right), y(values[m], max, plotTop, bottom));
                }
            }
            g.drawString(s.name(), width - right + 10, plotTop + 15 * i + 10);
        }
        g.setStroke(new BasicStroke(1f));
    }

    private static int x(int index, int count, int left, int right) {
        return left + (right - left) * index / Math.max(1, count - 1);
    }

    private static int y(double value, double max, int top, int bottom) {
        return (int) Math.round(bottom - (bottom - top) * value / max);
    }

    private List<String> names() {
        return List.copyOf(minutes.stream().flatMap(m -> m.processes().keySet().stream()).collect(Collectors.toCollection(TreeSet::new)));
    }

    private static double maxRss(List<SoakMinute> minutes, String name) {
        return minutes.stream().map(m -> m.processes().get(name)).filter(s -> s != null).mapToDouble(StackProcesses.Sample::rssMiB)
                .max().orElse(Double.NaN);
    }

    private static double median(List<SoakMinute> minutes, ToDoubleFunction<SoakMinute> value) {
        double[] values = minutes.stream().mapToDouble(value).sorted().toArray();
        return values.length == 0 ? Double.NaN : values[values.length / 2];
    }
}
