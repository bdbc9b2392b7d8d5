package pipeline.trainer;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import pipeline.convnet.data.Augmentation;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.model.ModelInfo;
import pipeline.convnet.optim.Adam;
import pipeline.convnet.optim.LearningRateSchedule;
import pipeline.convnet.train.Evaluation;
import pipeline.convnet.train.Evaluator;
import pipeline.convnet.train.Trainer;

/**
 * One round of continuous training: the base (the promoted version, or the last candidate that was
 * no worse than it) is fine-tuned with Adam on samples drawn from the replay buffer; the candidate
 * and the promoted version are judged on the same held-out set, and the gate decides. A candidate
 * that is no worse but not yet clearly better stays the base of the next round, so small gains add
 * up until they are clear; a worse one is dropped and the next round starts again from the promoted
 * version. Kafka-free, so the service and the learning-curve command run the same round.
 */
public final class TrainingRound {

    /**
     * @param steps        optimiser steps per round
     * @param batchSize    samples per step
     * @param learningRate Adam's, constant within a round
     * @param seed         shuffling of the drawn samples
     */
    public record Config(int steps, int batchSize, float learningRate, long seed) {
        public Config {
            if (steps < 1 || batchSize < 1 || !(learningRate > 0)) {
                throw new IllegalArgumentException("a round needs 1 or more steps of 1 or more samples at a positive learning rate;"
                        + " got " + steps + " steps of " + batchSize + " at " + learningRate);
            }
        }
    }

    /** A model version as its number and model file. */
    public record Version(int number, byte[] bytes) {
    }

    /**
     * @param candidate      the fine-tuned model, carrying {@code candidateVersion}, its parent (the base) and its held-out metrics
     * @param promotedScore  the promoted version on the held-out set
     * @param candidateScore the candidate on the same set
     * @param trainingTime   time spent fine-tuning (not judging)
     */
    public record Outcome(ModelFile candidate, Evaluation promotedScore, Evaluation candidateScore,
                          PromotionGate.Verdict verdict, int heldOutSamples, Duration trainingTime) {

        /** The next round's base: the candidate unless it did worse than the promoted version. */
        public Version nextBase(Version candidateVersion, Version promoted) {
            boolean noWorse = verdict.candidateOnlyRight() >= verdict.promotedOnlyRight();
            return verdict.promote() || noWorse ? candidateVersion : promoted;
        }
    }

    private final Config config;
    private final PromotionGate gate;

    public TrainingRound(Config config, PromotionGate gate) {
        this.config = config;
        this.gate = gate;
    }

    /**
     * @param base     the version fine-tuned (read afresh from its bytes, so the caller's copy is untouched)
     * @param promoted the version the candidate must beat
     * @param heldOut  the held-out samples both are judged on
     * @param stopping called after every step (it may take its time, e.g. to let serving catch up); when it
     *                 returns true the round ends with {@link RoundCancelledException}
     */
    public Outcome run(Version base, Version promoted, int candidateVersion, ReplayBuffer buffer, List<Sample> heldOut,
                       BooleanSupplier stopping) throws IOException {
        ModelFile model = ModelFile.fromBytes(base.bytes(), "model v" + base.number());
        ModelFile served = base.number() == promoted.number() ? model : ModelFile.fromBytes(promoted.bytes(), "model v" + promoted.number());
        Dataset judged = dataset(heldOut, model);
        Evaluation promotedScore = Evaluator.evaluate(served.network(), judged, served.normalisation(), 256);

        long start = System.nanoTime();
        Trainer trainer = new Trainer(model.network(), model.normalisation(), new Trainer.Config(1, config.batchSize(),
                LearningRateSchedule.constant(config.learningRate()), Adam.adam(0f), Augmentation.NONE, 0f,
                config.seed() ^ candidateVersion));
        trainer.fit(dataset(buffer.draw(config.steps() * config.batchSize()), model), null, new Trainer.Listener() {
            @Override
            public void step(int epoch, int step, int seen, int total, float loss) {
                if (stopping.getAsBoolean()) {
                    throw new RoundCancelledException(step, config.steps());
                }
            }
        });
        Duration trainingTime = Duration.ofNanos(System.nanoTime() - start);

        Evaluation candidateScore = Evaluator.evaluate(model.network(), judged, model.normalisation(), 256);
        PromotionGate.Verdict verdict = gate.judge(promotedScore, candidateScore, judged.labels());
        ModelInfo info = new ModelInfo(model.info().name(), candidateVersion, base.number(), Instant.now(), Map.of(
                "heldOutAccuracy", candidateScore.accuracy(),
                "heldOutLoss", candidateScore.meanLoss(),
                "promotedVersion", (double) promoted.number(),
                "promotedHeldOutAccuracy", promotedScore.accuracy(),
                "promotedHeldOutLoss", promotedScore.meanLoss(),
                "heldOutSamples", (double) heldOut.size()));
        ModelFile candidate = model.withInfo(info);
        return new Outcome(candidate, promotedScore, candidateScore, verdict, heldOut.size(), trainingTime);
    }

    /** Samples as a {@link Dataset} of the model's input shape and classes. */
    static Dataset dataset(List<Sample> samples, ModelFile model) {
        int[] input = model.network().input();
        int size = input[0] * input[1] * input[2];
        byte[] pixels = new byte[samples.size() * size];
        int[] labels = new int[samples.size()];
        for (int i = 0; i < samples.size(); i++) {
            System.arraycopy(samples.get(i).pixels(), 0, pixels, i * size, size);
            labels[i] = samples.get(i).label();
        }
        return new Dataset(pixels, labels, input[0], input[1], input[2], model.classNames());
    }
}
