package pipeline.convnet.loss;

/**
 * The {@code k} highest scores of a row, best first: a selection in {@code O(n·k)} that allocates
 * only its answer, for the few classes a prediction reports out of as many as a model has.
 */
public final class TopK {

    private TopK() {
    }

    /**
     * Indices (0 to {@code n − 1}) of the {@code min(k, n)} largest of {@code scores[from … from + n)},
     * largest first; equal scores keep the lower index first.
     */
    public static int[] of(float[] scores, int from, int n, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("top-k needs k of 1 or more; got " + k);
        }
        int[] best = new int[Math.min(k, n)];
        int held = 0;
        for (int i = 0; i < n; i++) {
            float score = scores[from + i];
            if (held == best.length && !(score > scores[from + best[held - 1]])) {
                continue;
            }
            int at = held == best.length ? held - 1 : held++;
            while (at > 0 && score > scores[from + best[at - 1]]) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = i;
        }
        return best;
    }
}
