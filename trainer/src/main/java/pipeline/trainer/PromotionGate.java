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
 */
public record PromotionGate(double z) {

    public PromotionGate {
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
        double needed = z * Math.sqrt(b + c);
        boolean promote = b >= c && b - c >= needed;
        String reason = String.format(Locale.ROOT, "the candidate alone is right on %d held-out images, the promoted version alone on %d:"
                + " %+d %s %.1f (%.1f standard errors × √%d)", b, c, b - c, promote ? "≥" : "<", needed, z, b + c);
        return new Verdict(promote, b, c, reason);
    }
}
