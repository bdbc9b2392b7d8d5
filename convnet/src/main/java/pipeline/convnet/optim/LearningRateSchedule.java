package pipeline.convnet.optim;

/** The learning rate at each optimisation step (0-based). */
@FunctionalInterface
public interface LearningRateSchedule {

    float rate(int step);

    static LearningRateSchedule constant(float lr) {
        return step -> lr;
    }

    /** {@code lr · γ^⌊step / every⌋}. */
    static LearningRateSchedule stepDecay(float lr, int every, float gamma) {
        if (every < 1) {
            throw new IllegalArgumentException("step decay needs a period of 1 or more steps; got " + every);
        }
        return step -> lr * (float) Math.pow(gamma, step / every);
    }

    /** Cosine annealing from {@code lr} to {@code min} over {@code total} steps, then {@code min}. */
    static LearningRateSchedule cosine(float lr, int total, float min) {
        if (total < 1) {
            throw new IllegalArgumentException("cosine schedule needs 1 or more steps; got " + total);
        }
        return step -> step >= total ? min
                : min + (lr - min) * 0.5f * (1f + (float) Math.cos(Math.PI * step / total));
    }

    /** Linear warm-up from {@code lr/warmup} to this schedule's rate over the first {@code warmup} steps. */
    default LearningRateSchedule withWarmup(int warmup) {
        return step -> step < warmup ? rate(step) * (step + 1) / warmup : rate(step);
    }
}
