package pipeline.trainer;

import java.util.Locale;
import pipeline.convnet.train.Evaluation;

/**
 * Decides whether a candidate beats the promoted version, from their predictions on
 * the same held-out images. Only the images where exactly one of the two is right tell them apart:
 * {@code b} where the candidate alone is right, {@code c} where the promoted version alone is. The candidate
 * is promoted when {@code b ≥ c} (it is at least as accurate) and {@code b − c ≥ z·√(b + c)}: the
 * one-sided McNemar test at {@code z} standard errors. With {@code z = 0} the rule is "at least as
 * accurate"; the service's 2 lets a candidate that is no better through by chance about once in 44
 * evaluations, and one worse by a point far more rarely, so a stream of wrong labels does not churn versions.
 *
 * <p>Two close models disagree on few images, so a real gain of a point is rarely provable on a
 * couple of thousand held-out images alone. A candidate whose base was itself a candidate brings its
 * lineage's evidence ({@link Tally}): each round, before training on its new labels, the base and the
 * promoted version were compared on them, images neither had learnt from and that are used once, so
 * the evidence adds up over rounds without reusing any image for two decisions.
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
     * @param worse              the candidate is worse than the promoted version by as many standard errors as a
     *                           promotion needs: its lineage is abandoned (a candidate merely not proven better goes on
     *                           being trained, so gains too small to prove in one round add up)
     * @param reason             the numbers behind the verdict, for logs and the model's record
     */
    public record Verdict(boolean promote, int candidateOnlyRight, int promotedOnlyRight, boolean worse, String reason) {
    }

    /**
     * Images on which exactly one of two models was right: {@code b} the candidate's lineage alone, {@code c} the
     * promoted version alone.
     */
    public record Tally(int candidateOnlyRight, int promotedOnlyRight) {

        public static final Tally NONE = new Tally(0, 0);

        Tally plus(Tally other) {
            return new Tally(candidateOnlyRight + other.candidateOnlyRight, promotedOnlyRight + other.promotedOnlyRight);
        }

        /** Where {@code candidate} and {@code promoted} disagree on {@code labels}, one of them right. */
        static Tally of(Evaluation promoted, Evaluation candidate, int[] labels) {
            int[] bc = disagreements(promoted, candidate, labels);
            return new Tally(bc[0], bc[1]);
        }
    }

    /** @param labels the true class of each held-out image, in the order both evaluations saw them */
    public Verdict judge(Evaluation promoted, Evaluation candidate, int[] labels) {
        return judge(promoted, candidate, labels, Tally.NONE);
    }

    /**
     * As {@link #judge(Evaluation, Evaluation, int[])}, with the {@code lineage}'s evidence added: images neither
     * the candidate's ancestors nor the promoted version had trained on when they were compared on them (each
     * round's new labels, before it trained on them). The candidate must still be at least as accurate on the
     * held-out images itself.
     */
    public Verdict judge(Evaluation promoted, Evaluation candidate, int[] labels, Tally lineage) {
        int[] bc = disagreements(promoted, candidate, labels);
        int heldB = bc[0];
        int heldC = bc[1];
        int b = heldB + lineage.candidateOnlyRight();
        int c = heldC + lineage.promotedOnlyRight();
        double needed = z * Math.sqrt(b + c);
        // Above 0 standard errors a candidate must be right somewhere the promoted version is not: identical ones do not churn.
        boolean promote = heldB >= heldC && b >= c && b - c >= needed && (z == 0 || b > c);
        // The test's power, shown: the lead in accuracy these held-out images can prove (it shrinks as 1/√n).
        String reason = String.format(Locale.ROOT, "the candidate alone is right on %d held-out images, the promoted version alone on %d",
                heldB, heldC);
        if (!lineage.equals(Tally.NONE)) {
            reason += String.format(Locale.ROOT, "; on earlier rounds' new labels its ancestors alone on %d, the promoted version alone"
                    + " on %d", lineage.candidateOnlyRight(), lineage.promotedOnlyRight());
        }
        reason += String.format(Locale.ROOT, ": %+d %s %.1f (%.1f standard errors × √%d); on %d held-out images a lead of %.2f points is"
                + " provable", b - c, promote ? "≥" : "<", needed, z, b + c, labels.length,
                labels.length == 0 ? Double.NaN : 100 * z * Math.sqrt(heldB + heldC) / labels.length);
        return new Verdict(promote, heldB, heldC, worse(heldB, heldC), reason);
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
        return new Verdict(learnt && kept, bc[0], bc[1], worse(bc[0], bc[1]), reason);
    }

    /** The promoted version alone is right more often by {@code z} standard errors (and at least once). */
    private boolean worse(int b, int c) {
        return c > b && c - b >= z * Math.sqrt(b + c);
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
