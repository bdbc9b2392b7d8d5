package pipeline.trainer;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.train.Evaluator;

/**
 * The new-class experiment, without Kafka: a LeNet-5 trained on Fashion-MNIST's images of every class
 * but one, then the training images as a labelled stream in which the held-back class appears only from
 * half-way, run through the trainer's own rounds with {@code trainer.new-classes=grow} (the service's
 * other settings, as {@link LearningCurve} takes them). After each round, the promoted version's test
 * accuracy on the old classes and on the new one.
 *
 * <pre>
 * ./pipeline curve --hold-back 'Ankle boot' [--weak 3000] [--labels 20000] [--round 1000] [--threads 2]
 * </pre>
 */
final class NewClassCurve {

    /** After a round: labels seen, the promoted version, and its test accuracy on the old classes and on the new one. */
    record Point(long samplesSeen, int promotedVersion, boolean knowsNewClass, double oldClasses, double newClass, String round) {
    }

    private NewClassCurve() {
    }

    static List<Point> run(TrainerSettings settings, Dataset train, Dataset test, String heldBack, int weakImages, int labels,
                           int roundLabels, PrintStream log) throws IOException {
        int held = train.classNames().indexOf(heldBack);
        if (held < 0) {
            throw new IllegalArgumentException("--hold-back '" + heldBack + "' is not a class; expected one of " + train.classNames());
        }
        List<String> old = new ArrayList<>(train.classNames());
        old.remove(heldBack);
        ModelFile weak = ColdStart.lenet(relabelled(train.head(weakImages), i -> true, held, old), 2, settings.round().seed(),
                settings.modelName());
        TrainingRound.Version promoted = new TrainingRound.Version(1, weak.toBytes());
        TrainingRound.Version base = promoted;
        ModelFile promotedModel = weak;
        TrainingRound round = new TrainingRound(settings.round(), settings.gate());
        TrainingData data = new TrainingData(settings, train.imageSize());
        NewClassLabels newClasses = new NewClassLabels(settings.newClassMinLabels());
        List<Point> curve = new ArrayList<>();
        curve.add(point(0, 1, promotedModel, test, heldBack, "the start, without " + heldBack));
        long seen = 0;
        int sinceRound = 0;
        int version = 1;
        int arrives = weakImages + labels / 2;
        for (int i = weakImages; i < weakImages + labels; i++) {
            if (train.labels()[i] == held && i < arrives) {
                continue;
            }
            Sample sample = Sample.of(train, i, "train-" + i, train.labels()[i]);
            newClasses.count(sample, promotedModel.classNames());
            if (data.add(sample)) {
                continue;
            }
            seen++;
            if (++sinceRound < roundLabels || !data.canJudge()) {
                continue;
            }
            sinceRound = 0;
            List<String> growing = newClasses.ready(promotedModel.classNames());
            TrainingRound.Outcome outcome = round.run(base, promoted, ++version, data.buffer(), data.heldOut(), growing, () -> false);
            TrainingRound.Version fresh = new TrainingRound.Version(version, outcome.candidate().toBytes());
            base = outcome.nextBase(fresh, promoted);
            if (outcome.verdict().promote()) {
                promoted = fresh;
                promotedModel = outcome.candidate();
            }
            Point p = point(seen, promoted.number(), promotedModel, test, heldBack, "v" + version + " "
                    + (outcome.verdict().promote() ? "promoted" : "rejected") + (growing.isEmpty() ? "" : ", growing " + growing));
            curve.add(p);
            log.printf(Locale.ROOT, "%,7d labels: %s; promoted v%d: old classes %.2f%%, %s %.2f%% on the test set (%s)%n", seen,
                    p.round(), p.promotedVersion(), 100 * p.oldClasses(), heldBack, 100 * p.newClass(), outcome.verdict().reason());
        }
        return curve;
    }

    static void print(List<Point> curve, String heldBack, PrintStream out) {
        out.printf("| training labels seen | promoted version | knows %s | old classes' test accuracy | %s test accuracy | round |%n",
                heldBack, heldBack);
        out.println("| ---: | ---: | --- | ---: | ---: | --- |");
        for (Point p : curve) {
            out.printf(Locale.ROOT, "| %,d | v%d | %s | %.2f%% | %.2f%% | %s |%n", p.samplesSeen(), p.promotedVersion(),
                    p.knowsNewClass() ? "yes" : "no", 100 * p.oldClasses(), 100 * p.newClass(), p.round());
        }
    }

    /** The promoted model's test accuracy on the old classes' images, and on the held-back class's (0 while it lacks it). */
    private static Point point(long seen, int version, ModelFile model, Dataset test, String heldBack, String round) {
        int held = test.classNames().indexOf(heldBack);
        List<String> classes = model.classNames();
        double oldClasses = Evaluator.evaluate(model.network(), relabelled(test, i -> test.labels()[i] != held, -1, classes),
                model.normalisation(), 256).accuracy();
        boolean knows = classes.contains(heldBack);
        double newClass = knows ? Evaluator.evaluate(model.network(), relabelled(test, i -> test.labels()[i] == held, -1, classes),
                model.normalisation(), 256).accuracy() : 0;
        return new Point(seen, version, knows, oldClasses, newClass, round);
    }

    /**
     * The images of {@code data} that {@code keep} selects, and are not of class {@code drop} (-1: none), labelled
     * by their class names' places in {@code classes}.
     */
    static Dataset relabelled(Dataset data, IntPredicate keep, int drop, List<String> classes) {
        int[] kept = IntStream.range(0, data.size()).filter(i -> keep.test(i) && data.labels()[i] != drop).toArray();
        Dataset subset = data.select(kept);
        int[] labels = new int[kept.length];
        for (int i = 0; i < kept.length; i++) {
            labels[i] = classes.indexOf(data.classNames().get(subset.labels()[i]));
        }
        return new Dataset(subset.pixels(), labels, subset.channels(), subset.height(), subset.width(), classes);
    }
}
