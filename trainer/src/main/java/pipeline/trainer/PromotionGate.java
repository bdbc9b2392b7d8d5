package pipeline.trainer;

import java.util.Locale;
import pipeline.convnet.train.Evaluation;

/**
 * Decides whether a candidate beats the promoted version, from their predictions on
 * the same held-out images. Only the images where exactly one of the two is right tell them apart:
 * {@code b} where the candidate alone is right, {@code c} where the promoted version alone is. The candidate
 * is promoted when {@code b ≥ c} (it is at least as accurate) and {@code b − c ≥ z·√(b + c)}: the
 * one-sided McNemar test at {@code z} standard errors. With {@code z = 0} the rule is "at least as
 * accurate"; the default 3 lets a candidate that is no better through by chance about once in 700
 * evaluations, so a stream of wrong labels does not churn versions.
 *
 * <p>A candidate that has grown the head by new classes gains what the promoted version cannot do at
 * all, so it is held to another rule ({@link #judgeGrowth}): it must have learnt its new classes and
 * lost at most {@code growthMargin} of accuracy on the old ones, so it may not forget them.
 */
public record PromotionGate(double z, double growthMargin) {

    /** Accuracy on the new classes' held-out images a grown candidate needs: it predicts them more often than not. */
    static final double NEW_CLASS_ACCURACY = 0.5;

    /** A gate at {@code z} standard errors, letting a grown candidate lose at most 1 point on the old classes. */
    public PromotionGate(double z) {
        this(z, 0.01);
    }

    public PromotionGate {
        if (!(growthMargin >= 0 && growthMargin < 1)) {
            throw new IllegalArgumentException("the growth margin is a share of accuracy in [0, 1); got " + growthMargin);
        }
        if (!(z >= 0) || Double.isInfinite(z)) {
            throw new IllegalArgumentException("the promotion threshold must be 0 or more standard errors; got " + z);
        }
    }

    /**
     * @param candidateOnlyRight held-out images the candidate gets right and the promoted version wrong ({@code b})
     * @param promotedOnlyRight    held-out images the promoted version gets right and the candidate wrong ({@code c})
     * @param reason             the numbers behind the verdict, for logs and the model's record
     */
    public record Verdict(boolean promote, int candidateOnlyRight, int promotedOnlyRight, String reason) {
    }

    /** @param labels the true class of each held-out image, in the order both evaluations saw them */
    public Verdict judge(Evaluation promoted, Evaluation candidate, int[] labels) {
        int[] bc = disagreements(promoted, candidate, labels);
        int b = bc[0];
        int c = bc[1];
        double needed = z * Math.sqrt(b + c);
        boolean promote = b >= c && b - c >= needed;
        String reason = String.format(Locale.ROOT, "the candidate alone is right on %d held-out images, the promoted version alone on %d:"
                + " %+d %s %.1f (%.1f standard errors × √%d)", b, c, b - c, promote ? "≥" : "<", needed, z, b + c);
        return new Verdict(promote, b, c, reason);
    }

    /**
     * A candidate with classes the promoted version lacks: promoted when its accuracy on the new classes'
     * held-out images is at least {@link #NEW_CLASS_ACCURACY} and on the old classes' at most
     * {@code growthMargin} below the promoted version's.
     *
     * @param labels   the old classes' held-out images, both evaluated on them
     * @param newOnes  the candidate on the new classes' held-out images (none yet: not promoted)
     */
    public Verdict judgeGrowth(Evaluation promoted, Evaluation candidate, int[] labels, Evaluation newOnes) {
        int[] bc = disagreements(promoted, candidate, labels);
        double drop = promoted.accuracy() - candidate.accuracy();
        boolean learnt = newOnes.total() > 0 && newOnes.accuracy() >= NEW_CLASS_ACCURACY;
        boolean kept = drop <= growthMargin;
        String reason = String.format(Locale.ROOT, "a grown head: %.1f%% on %d held-out images of the new classes (%s %.0f%%);"
                + " %.2f%% on the old classes' %d against the promoted version's %.2f%% (%s %.1f points lost, at most %.1f)",
                100 * newOnes.accuracy(), newOnes.total(), learnt ? "≥" : "<", 100 * NEW_CLASS_ACCURACY, 100 * candidate.accuracy(),
                labels.length, 100 * promoted.accuracy(), kept ? "" : "more than", Math.max(0, 100 * drop), 100 * growthMargin);
        return new Verdict(learnt && kept, bc[0], bc[1], reason);
    }

    /** {@code [b, c]}: images only the candidate gets right, and only the promoted version. */
    private static int[] disagreements(Evaluation promoted, Evaluation candidate, int[] labels) {
        if (promoted.predictions().length != labels.length || candidate.predictions().length != labels.length) {
            throw new IllegalArgumentException("both models must be evaluated on the same " + labels.length
                    + " held-out images; got " + promoted.predictions().length + " and " + candidate.predictions().length);
        }
        int b = 0;
        int c = 0;
        for (int i = 0; i < labels.length; i++) {
            boolean promotedRight = promoted.predictions()[i] == labels[i];
            boolean candidateRight = candidate.predictions()[i] == labels[i];
            b += candidateRight && !promotedRight ? 1 : 0;
            c += promotedRight && !candidateRight ? 1 : 0;
        }
        return new int[] {b, c};
    }
}
