package pipeline.trainer;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import javax.imageio.ImageIO;
import pipeline.config.Settings;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.kernel.Parallelism;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.train.Evaluator;

/**
 * The learning curve of continuous training, without Kafka: a weak LeNet-5 (one epoch on a few
 * hundred images) receives the Fashion-MNIST training images as a labelled stream, and the
 * trainer's own rounds (replay buffer, held-out split, fine-tuning, promotion gate, with the
 * service's settings: defaults, {@code PIPELINE_CONFIG} file, {@code PIPELINE_TRAINER_*}) run every
 * {@code --round} training labels ({@code trainer.round-labels} by default). After each round the
 * promoted version and the candidate are scored on the whole test set. Beside it, the
 * {@linkplain OfflineBaseline offline baseline}: the same architecture trained offline on the same
 * training-side images for as many gradient steps. Prints a Markdown table per run, a summary over the
 * seeds (mean and spread of the final test accuracies; the worst promotion: how much lower on the test
 * set a promoted version was than the one it replaced), and draws the first run's curve as a PNG.
 *
 * <pre>
 * ./pipeline curve [--data /usr/share/datasets/fashion-mnist] [--weak 300] [--labels 20000] [--round 1000]
 *                  [--seeds 1,2,3] [--start FILE.model --skip N] [--png docs/learning-curve.png] [--threads 2]
 * ./pipeline curve --hold-back CLASS [...]   the new-class experiment ({@link NewClassCurve})
 * </pre>
 * {@code --start} begins from a trained model (a strong start) instead of the weak one, the stream
 * beginning at training image {@code --skip} (e.g. after the images the model was trained on).
 */
public final class LearningCurve {

    /** One round: labels seen so far, the versions, and test accuracies of the promoted version and the candidate. */
    record Point(long samplesSeen, int promotedVersion, double promotedTest, double candidateTest, boolean promoted,
                 double heldOutParent, double heldOutCandidate) {
    }

    /** One run of the stream: its curve, the images it put on the training side, and the gradient steps its rounds took. */
    record Run(List<Point> curve, Dataset trainingSide, int steps) {

        double finalTest() {
            return curve.getLast().promotedTest();
        }

        /** The most a promoted version was below the one it replaced on the test set (negative: every one was better). */
        double worstPromotion() {
            double worst = Double.NEGATIVE_INFINITY;
            for (int i = 1; i < curve.size(); i++) {
                if (curve.get(i).promoted()) {
                    worst = Math.max(worst, curve.get(i - 1).promotedTest() - curve.get(i).promotedTest());
                }
            }
            return worst;
        }

        /** The served version's lowest test accuracy over the run, less the start's (0 when it never fell below). */
        double lowestVsStart() {
            return curve.stream().mapToDouble(Point::promotedTest).min().orElseThrow() - curve.getFirst().promotedTest();
        }
    }

    private LearningCurve() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> o = options(args);
        Path data = Path.of(o.getOrDefault("--data", "/usr/share/datasets/fashion-mnist"));
        int weakImages = Integer.parseInt(o.getOrDefault("--weak", "300"));
        int labels = Integer.parseInt(o.getOrDefault("--labels", "20000"));
        // The service's settings (defaults < PIPELINE_CONFIG file < PIPELINE_TRAINER_*), so the curve is what the system does.
        TrainerSettings settings = TrainerSettings.from(Settings.fromEnvironment(TrainerSettings.ALL));
        int roundLabels = o.containsKey("--round") ? Integer.parseInt(o.get("--round")) : settings.roundLabels();
        Path png = Path.of(o.getOrDefault("--png", "docs/learning-curve.png"));
        Parallelism.setThreads(Integer.parseInt(o.getOrDefault("--threads", Integer.toString(Runtime.getRuntime().availableProcessors()))));
        Dataset train = Dataset.readIdx(data, "train", Dataset.FASHION_MNIST_CLASSES);
        Dataset test = Dataset.readIdx(data, "t10k", Dataset.FASHION_MNIST_CLASSES);
        if (weakImages + labels > train.size()) {
            throw new IllegalArgumentException("--weak " + weakImages + " plus --labels " + labels + " exceed the " + train.size()
                    + " training images in " + data);
        }
        if (o.containsKey("--hold-back")) {
            // The new-class experiment: the stream brings a class the weak start never saw, and the trainer grows.
            TrainerSettings growing = settings.growing(settings.newClassMinLabels());
            List<NewClassCurve.Point> points = NewClassCurve.run(growing, train, test, o.get("--hold-back"), weakImages, labels,
                    roundLabels, System.out);
            NewClassCurve.print(points, o.get("--hold-back"), System.out);
            return;
        }
        int skip = Integer.parseInt(o.getOrDefault("--skip", Integer.toString(weakImages)));
        if (skip + labels > train.size()) {
            throw new IllegalArgumentException("--skip " + skip + " plus --labels " + labels + " exceed the " + train.size()
                    + " training images in " + data);
        }
        List<Long> seeds = o.containsKey("--seeds") ? Arrays.stream(o.get("--seeds").split(",")).map(String::strip).map(Long::valueOf).toList()
                : List.of(settings.round().seed());
        List<Run> runs = new ArrayList<>();
        List<Double> baselines = new ArrayList<>();
        for (long seed : seeds) {
            TrainerSettings seeded = withSeed(seed);
            ModelFile start = o.containsKey("--start") ? ModelFile.read(Path.of(o.get("--start")))
                    : ColdStart.lenet(train.head(weakImages), 1, seed, seeded.modelName());
            System.out.printf(Locale.ROOT, "Seed %d: from %s, %,d labels from training image %,d on%n", seed,
                    o.getOrDefault("--start", "a weak LeNet-5 (one epoch on " + weakImages + " images)"), labels, skip);
            // A strong start's own images (those before the stream) are what trainer.replay-data would name.
            StartReplay replay = o.containsKey("--start") && seeded.replayShare() > 0
                    ? new StartReplay(train.head(skip), seeded.replayShare()) : StartReplay.NONE;
            Run run = run(seeded, train, test, start, skip, labels, roundLabels, replay, System.out);
            double baseline = OfflineBaseline.testAccuracy(run.trainingSide(), run.steps(), test, seed);
            System.out.printf(Locale.ROOT, "Offline baseline (LeNet-5 from scratch on the same %,d training-side images, %,d steps): %.2f%%%n",
                    run.trainingSide().size(), run.steps(), 100 * baseline);
            print(run.curve(), System.out);
            runs.add(run);
            baselines.add(baseline);
        }
        summarise(seeds, runs, baselines, System.out);
        String title = o.containsKey("--start")
                ? "Fashion-MNIST test accuracy, continuous training from " + Path.of(o.get("--start")).getFileName()
                : "Fashion-MNIST test accuracy under continuous training from a weak LeNet-5";
        draw(runs.getFirst().curve(), baselines.getFirst(), title, png);
        System.out.println("Curve drawn to " + png);
    }

    /** The service's settings with {@code trainer.seed} set to {@code seed}. */
    private static TrainerSettings withSeed(long seed) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put(TrainerSettings.SEED.envName(), Long.toString(seed));
        String file = env.get(Settings.CONFIG_FILE_ENV);
        return TrainerSettings.from(Settings.load(TrainerSettings.ALL, file == null || file.isBlank() ? null : Path.of(file), env));
    }

    /**
     * Per seed, and as mean and spread (min to max): the start's and the final promoted version's test accuracy, the
     * baseline's, the worst promotion, and how far below the start the served version ever was.
     */
    static void summarise(List<Long> seeds, List<Run> runs, List<Double> baselines, PrintStream out) {
        out.println("| seed | start | stream: promoted version's test accuracy | offline baseline | stream − baseline | worst promotion |"
                + " served, lowest vs start |");
        out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (int i = 0; i < runs.size(); i++) {
            Run run = runs.get(i);
            out.printf(Locale.ROOT, "| %d | %.2f%% | %.2f%% | %.2f%% | %+.2f | %s | %+.2f |%n", seeds.get(i),
                    100 * run.curve().getFirst().promotedTest(), 100 * run.finalTest(), 100 * baselines.get(i),
                    100 * (run.finalTest() - baselines.get(i)), worst(run.worstPromotion()), 100 * run.lowestVsStart());
        }
        double[] stream = runs.stream().mapToDouble(Run::finalTest).toArray();
        double[] offline = baselines.stream().mapToDouble(Double::doubleValue).toArray();
        double[] gap = new double[stream.length];
        for (int i = 0; i < gap.length; i++) {
            gap[i] = stream[i] - offline[i];
        }
        out.printf(Locale.ROOT, "| mean (min–max) | %s | %s | %s | %s | %s | %+.2f |%n",
                spread(runs.stream().mapToDouble(r -> r.curve().getFirst().promotedTest()).toArray()), spread(stream), spread(offline),
                spread(gap), worst(runs.stream().mapToDouble(Run::worstPromotion).max().orElse(Double.NEGATIVE_INFINITY)),
                100 * runs.stream().mapToDouble(Run::lowestVsStart).min().orElseThrow());
    }

    private static String spread(double[] values) {
        return String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", 100 * Arrays.stream(values).average().orElse(Double.NaN),
                100 * Arrays.stream(values).min().orElse(Double.NaN), 100 * Arrays.stream(values).max().orElse(Double.NaN));
    }

    private static String worst(double drop) {
        return drop == Double.NEGATIVE_INFINITY ? "none promoted" : drop <= 0 ? "none worse"
                : String.format(Locale.ROOT, "%.2f points lower", 100 * drop);
    }

    /** The stream of {@code labels} training images from index {@code from}, starting from {@code weak}. */
    static Run run(TrainerSettings settings, Dataset train, Dataset test, ModelFile weak, int from, int labels, int roundLabels,
                   StartReplay replay, PrintStream log) throws IOException {
        TrainingRound.Version promoted = new TrainingRound.Version(1, weak.toBytes());
        TrainingRound.Version base = promoted;
        PromotionGate.Tally evidence = PromotionGate.Tally.NONE;
        double parentTest = Evaluator.evaluate(weak.network(), test, weak.normalisation(), 256).accuracy();
        List<Point> curve = new ArrayList<>();
        curve.add(new Point(0, 1, parentTest, parentTest, true, Double.NaN, Double.NaN));
        TrainingRound round = new TrainingRound(settings.round(), settings.gate());
        TrainingData data = new TrainingData(settings, train.imageSize(), replay);
        long seen = 0;
        int sinceRound = 0;
        int version = 1;
        int steps = 0;
        List<Integer> trainingSide = new ArrayList<>();
        for (int i = from; i < from + labels; i++) {
            if (data.add(Sample.of(train, i, "train-" + i, train.labels()[i]))) {
                continue;
            }
            trainingSide.add(i);
            seen++;
            if (++sinceRound < roundLabels || !data.canJudge()) {
                continue;
            }
            sinceRound = 0;
            TrainingRound.Outcome outcome = round.run(base, promoted, ++version, data.buffer(), data.heldOut(),
                    new TrainingRound.Lineage(data.takeUnseen(), evidence), List.of(), () -> false);
            steps += outcome.steps();
            ModelFile candidate = outcome.candidate();
            double candidateTest = Evaluator.evaluate(candidate.network(), test, candidate.normalisation(), 256).accuracy();
            TrainingRound.Version fresh = new TrainingRound.Version(version, candidate.toBytes());
            base = outcome.nextBase(fresh, promoted);
            evidence = outcome.nextLineageEvidence();
            if (outcome.verdict().promote()) {
                promoted = fresh;
                parentTest = candidateTest;
            }
            Point point = new Point(seen, promoted.number(), parentTest, candidateTest, outcome.verdict().promote(),
                    outcome.promotedScore().accuracy(), outcome.candidateScore().accuracy());
            curve.add(point);
            log.printf(Locale.ROOT, "%,7d labels: v%d %s; promoted v%d scores %.2f%% on the test set%n", seen, version,
                    outcome.verdict().promote() ? "promoted" : "rejected", promoted.number(), 100 * parentTest);
        }
        return new Run(curve, train.select(trainingSide.stream().mapToInt(Integer::intValue).toArray()), steps);
    }

    static void print(List<Point> curve, PrintStream out) {
        out.println("| training labels seen | promoted version | its test accuracy | candidate's test accuracy | candidate | held-out: promoted → candidate |");
        out.println("| ---: | ---: | ---: | ---: | --- | --- |");
        for (Point p : curve) {
            out.printf(Locale.ROOT, "| %,d | v%d | %.2f%% | %.2f%% | %s | %s |%n", p.samplesSeen(), p.promotedVersion(), 100 * p.promotedTest(),
                    100 * p.candidateTest(), p.samplesSeen() == 0 ? "the start" : p.promoted() ? "promoted" : "rejected",
                    Double.isNaN(p.heldOutParent()) ? "–"
                            : String.format(Locale.ROOT, "%.1f%% → %.1f%%", 100 * p.heldOutParent(), 100 * p.heldOutCandidate()));
        }
    }

    /**
     * Test accuracy (0–100 %) against labels seen: the promoted version as a step line, each candidate as a dot (green
     * promoted, red rejected), the offline baseline as a dashed line.
     */
    static void draw(List<Point> curve, double baseline, String title, Path file) throws IOException {
        int width = 800;
        int height = 480;
        int left = 70;
        int right = 45;
        int top = 40;
        int bottom = 60;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        long maxSeen = Math.max(1, curve.getLast().samplesSeen());
        double low = Math.floor(Math.min(baseline, curve.stream().mapToDouble(p -> Math.min(p.promotedTest(), p.candidateTest()))
                .min().orElse(0)) * 10) / 10;
        DoubleUnaryOperator x = seen -> left + (width - left - right) * seen / maxSeen;
        DoubleUnaryOperator y = acc -> top + (height - top - bottom) * (1 - (acc - low) / (1 - low));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (double acc = low; acc <= 1.0001; acc += 0.1) {
            int yy = (int) y.applyAsDouble(acc);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(left, yy, width - right, yy);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%.0f%%", 100 * acc), 30, yy + 4);
        }
        for (int k = 0; k <= 4; k++) {
            long seen = maxSeen * k / 4;
            g.drawString(String.format(Locale.ROOT, "%,d", seen), (int) x.applyAsDouble(seen) - 15, height - bottom + 18);
        }
        g.drawString("training labels seen", width / 2 - 50, height - 15);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, left, 22);
        g.setColor(new Color(40, 90, 200));
        g.setStroke(new BasicStroke(2.5f));
        for (int i = 1; i < curve.size(); i++) {
            Point a = curve.get(i - 1);
            Point b = curve.get(i);
            int xa = (int) x.applyAsDouble(a.samplesSeen());
            int xb = (int) x.applyAsDouble(b.samplesSeen());
            g.drawLine(xa, (int) y.applyAsDouble(a.promotedTest()), xb, (int) y.applyAsDouble(a.promotedTest()));
            g.drawLine(xb, (int) y.applyAsDouble(a.promotedTest()), xb, (int) y.applyAsDouble(b.promotedTest()));
        }
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 6f}, 0f));
        g.drawLine(left, (int) y.applyAsDouble(baseline), width - right, (int) y.applyAsDouble(baseline));
        for (Point p : curve.subList(1, curve.size())) {
            g.setColor(p.promoted() ? new Color(30, 150, 60) : new Color(210, 50, 40));
            g.fillOval((int) x.applyAsDouble(p.samplesSeen()) - 4, (int) y.applyAsDouble(p.candidateTest()) - 4, 8, 8);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(Color.GRAY);
        g.drawString(String.format(Locale.ROOT, "- - offline, same images and steps (%.1f%%)", 100 * baseline), width - 300, height - bottom - 68);
        g.setColor(new Color(40, 90, 200));
        g.drawString("— promoted version", width - 200, height - bottom - 52);
        g.setColor(new Color(30, 150, 60));
        g.drawString("● candidate promoted", width - 200, height - bottom - 36);
        g.setColor(new Color(210, 50, 40));
        g.drawString("● candidate rejected", width - 200, height - bottom - 20);
        g.dispose();
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        ImageIO.write(image, "png", file.toFile());
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        List<String> known = List.of("--data", "--weak", "--labels", "--round", "--png", "--threads", "--hold-back", "--seeds",
                "--start", "--skip");
        for (int i = 0; i < args.length; i += 2) {
            if (!known.contains(args[i]) || i + 1 >= args.length) {
                throw new IllegalArgumentException("curve: expected options " + known + ", each with a value; got '" + args[i] + "'");
            }
            o.put(args[i], args[i + 1]);
        }
        return o;
    }
}
