package pipeline.trainer;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import pipeline.convnet.train.TransferLearning;

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
     * @param freezeUpTo   what a round leaves as it is: {@code none}, {@code body} (all but the head) or the
     *                     node frozen through ({@link TransferLearning#freezeUpTo})
     */
    public record Config(int steps, int batchSize, float learningRate, long seed, String freezeUpTo) {

        /** A round that may change every layer. */
        public Config(int steps, int batchSize, float learningRate, long seed) {
            this(steps, batchSize, learningRate, seed, TransferLearning.NONE);
        }

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
     * @param base       the version fine-tuned (read afresh from its bytes, so the caller's copy is untouched)
     * @param promoted   the version the candidate must beat
     * @param heldOut    the held-out samples both are judged on
     * @param newClasses classes to grow the head by, when the base lacks them (their samples are in the buffer
     *                   and held out); empty for a round over the model's own classes
     * @param stopping   called after every step (it may take its time, e.g. to let serving catch up); when it
     *                   returns true the round ends with {@link RoundCancelledException}
     */
    public Outcome run(Version base, Version promoted, int candidateVersion, ReplayBuffer buffer, List<Sample> heldOut,
                       List<String> newClasses, BooleanSupplier stopping) throws IOException {
        ModelFile model = grown(ModelFile.fromBytes(base.bytes(), "model v" + base.number()), newClasses, candidateVersion);
        ModelFile served = base.number() == promoted.number() && newClasses.isEmpty() ? model
                : ModelFile.fromBytes(promoted.bytes(), "model v" + promoted.number());
        List<String> old = served.classNames();
        // The old classes' held-out images, labelled as the (maybe grown) candidate numbers its classes.
        Dataset judged = dataset(heldOut.stream().filter(s -> old.contains(s.label())).toList(), model);
        Evaluation promotedScore = Evaluator.evaluate(served.network(), judged, served.normalisation(), 256);

        long start = System.nanoTime();
        TransferLearning.freezeUpTo(model.network(), config.freezeUpTo());
        Trainer trainer = new Trainer(model.network(), model.normalisation(), new Trainer.Config(1, config.batchSize(),
                LearningRateSchedule.constant(config.learningRate()), Adam.adam(0f), Augmentation.NONE, 0f,
                config.seed() ^ candidateVersion));
        trainer.fit(dataset(draw(buffer, model.classNames(), old), model), null, new Trainer.Listener() {
            @Override
            public void step(int epoch, int step, int seen, int total, float loss) {
                if (stopping.getAsBoolean()) {
                    throw new RoundCancelledException(step, config.steps());
                }
            }
        });
        Duration trainingTime = Duration.ofNanos(System.nanoTime() - start);

        Evaluation candidateScore = Evaluator.evaluate(model.network(), judged, model.normalisation(), 256);
        PromotionGate.Verdict verdict;
        if (model.classNames().size() > old.size()) {
            Dataset fresh = dataset(heldOut.stream().filter(s -> !old.contains(s.label())).toList(), model);
            verdict = gate.judgeGrowth(promotedScore, candidateScore, judged.labels(),
                    Evaluator.evaluate(model.network(), fresh, model.normalisation(), 256));
        } else {
            verdict = gate.judge(promotedScore, candidateScore, judged.labels());
        }
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

    /** {@code model} with its head grown by those of {@code newClasses} it lacks (their outputs after its own). */
    private ModelFile grown(ModelFile model, List<String> newClasses, int candidateVersion) {
        List<String> adding = newClasses.stream().filter(c -> !model.classNames().contains(c)).toList();
        if (adding.isEmpty()) {
            return model;
        }
        List<String> classes = new ArrayList<>(model.classNames());
        classes.addAll(adding);
        return new ModelFile(TransferLearning.withGrownHead(model.network(), adding.size(), config.seed() ^ candidateVersion),
                model.normalisation(), classes, model.info(), model.resize());
    }

    /**
     * The round's samples from the buffer; when {@code classes} has some the promoted version lacks, each
     * of them as much as an old class has on average (drawn again and again if it has few), so a new class
     * is learnt from its first labels rather than drowned by the old ones.
     */
    private List<Sample> draw(ReplayBuffer buffer, List<String> classes, List<String> old) {
        int count = config.steps() * config.batchSize();
        List<Sample> drawn = new ArrayList<>(buffer.draw(count));
        for (String label : classes) {
            if (!old.contains(label)) {
                drawn.addAll(buffer.drawOf(label, count / classes.size()));
            }
        }
        return drawn;
    }

    /** The samples of {@code model}'s classes as a {@link Dataset} of its input shape and classes; others are left out. */
    static Dataset dataset(List<Sample> samples, ModelFile model) {
        int[] input = model.network().input();
        int size = input[0] * input[1] * input[2];
        List<String> classes = model.classNames();
        List<Sample> known = samples.stream().filter(s -> classes.contains(s.label())).toList();
        byte[] pixels = new byte[known.size() * size];
        int[] labels = new int[known.size()];
        for (int i = 0; i < known.size(); i++) {
            System.arraycopy(known.get(i).pixels(), 0, pixels, i * size, size);
            labels[i] = classes.indexOf(known.get(i).label());
        }
        return new Dataset(pixels, labels, input[0], input[1], input[2], classes);
    }
}
