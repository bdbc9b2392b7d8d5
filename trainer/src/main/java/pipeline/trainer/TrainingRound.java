package pipeline.trainer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import pipeline.convnet.data.Augmentation;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.model.ModelInfo;
import pipeline.convnet.optim.Adam;
import pipeline.convnet.optim.LearningRateSchedule;
import pipeline.convnet.optim.Optimizer;
import pipeline.convnet.optim.Sgd;
import pipeline.convnet.train.Evaluation;
import pipeline.convnet.train.Evaluator;
import pipeline.convnet.train.Trainer;
import pipeline.convnet.train.TransferLearning;

/**
 * One round of continuous training: the base (the promoted version, or the last candidate that was
 * not clearly worse than it) is fine-tuned on samples drawn from the replay buffer; the candidate
 * and the promoted version are judged on the same held-out set, and the gate decides. A candidate
 * that is not clearly worse but not yet clearly better stays the base of the next round, so small gains
 * add up until they are clear; a clearly worse one is dropped and the next round starts again from the
 * promoted version. Kafka-free, so the service and the learning-curve command run the same round.
 */
public final class TrainingRound {

    /**
     * @param steps        optimiser steps per round, at least
     * @param batchSize    samples per step
     * @param learningRate the rate a round starts at
     * @param seed         shuffling of the drawn samples
     * @param freezeUpTo   what a round leaves as it is: {@code none}, {@code body} (all but the head) or the
     *                     node frozen through ({@link TransferLearning#freezeUpTo})
     * @param optimizer    how a step moves the weights
     * @param schedule     the rate within a round
     * @param bufferPasses passes over the replay buffer a round makes at least (more steps than {@code steps} as the
     *                     buffer grows, so the newest labels are learnt as well as the first); 0: {@code steps} always
     */
    public record Config(int steps, int batchSize, float learningRate, long seed, String freezeUpTo, RoundOptimizer optimizer,
                         RoundSchedule schedule, double bufferPasses) {

        /** A round that may change every layer, as the service's defaults. */
        public Config(int steps, int batchSize, float learningRate, long seed) {
            this(steps, batchSize, learningRate, seed, TransferLearning.NONE);
        }

        /** The service's defaults: SGD annealed on a cosine, at least 1.5 passes over the buffer. */
        static final RoundOptimizer OPTIMIZER = RoundOptimizer.SGD;
        static final RoundSchedule SCHEDULE = RoundSchedule.COSINE;
        static final double BUFFER_PASSES = 1.5;

        /** A round as the service's defaults. */
        public Config(int steps, int batchSize, float learningRate, long seed, String freezeUpTo) {
            this(steps, batchSize, learningRate, seed, freezeUpTo, OPTIMIZER, SCHEDULE, BUFFER_PASSES);
        }

        /** Steps a round takes with {@code buffered} training samples kept. */
        public int steps(int buffered) {
            return Math.max(steps, (int) Math.ceil(bufferPasses * buffered / batchSize));
        }

        public Config {
            if (steps < 1 || batchSize < 1 || !(learningRate > 0)) {
                throw new IllegalArgumentException("a round needs 1 or more steps of 1 or more samples at a positive learning rate;"
                        + " got " + steps + " steps of " + batchSize + " at " + learningRate);
            }
            if (!(bufferPasses >= 0 && bufferPasses <= 1000)) {
                throw new IllegalArgumentException("a round's passes over the replay buffer are between 0 and 1000; got " + bufferPasses);
            }
        }
    }

    /** How a round's steps move the weights. */
    public enum RoundOptimizer {
        /** Adam (β 0.9, 0.999), no weight decay: fresh moments each round. */
        ADAM,
        /** SGD with Nesterov momentum 0.9 and weight decay 5·10⁻⁴, the recipe the bundled models were trained with. */
        SGD;

        Optimizer create() {
            return this == ADAM ? Adam.adam(0f) : new Sgd(0.9f, true, 5e-4f);
        }
    }

    /** The learning rate within a round. */
    public enum RoundSchedule {
        /** The configured rate throughout. */
        CONSTANT,
        /** From the configured rate down to 0 on a half cosine: every round a warm restart, every candidate annealed. */
        COSINE;

        LearningRateSchedule over(float rate, int steps) {
            return this == CONSTANT ? LearningRateSchedule.constant(rate) : LearningRateSchedule.cosine(rate, steps, 0f);
        }
    }

    /** A model version as its number and model file. */
    public record Version(int number, byte[] bytes) {
    }

    /**
     * @param candidate      the fine-tuned model, carrying {@code candidateVersion}, its parent (the base) and its held-out metrics
     * @param promotedScore  the promoted version on the held-out set
     * @param candidateScore the candidate on the same set
     * @param steps          optimiser steps the round took
     * @param trainingTime   time spent fine-tuning (not judging)
     * @param lineageEvidence what the candidate's ancestors showed on labels unseen by them and the promoted version
     */
    public record Outcome(ModelFile candidate, Evaluation promotedScore, Evaluation candidateScore,
                          PromotionGate.Verdict verdict, int heldOutSamples, int steps, Duration trainingTime,
                          PromotionGate.Tally lineageEvidence) {

        /**
         * The next round's base: the candidate unless it is clearly worse than the promoted version (by the gate's
         * standard errors). One that is a little behind on the held-out set, by chance as often as not, is trained on.
         */
        public Version nextBase(Version candidateVersion, Version promoted) {
            return verdict.promote() || !verdict.worse() ? candidateVersion : promoted;
        }

        /**
         * The evidence the next round's base brings: this lineage's, when it goes on against the same promoted
         * version; none after a promotion or when it is abandoned.
         */
        public PromotionGate.Tally nextLineageEvidence() {
            return verdict.promote() || verdict.worse() ? PromotionGate.Tally.NONE : lineageEvidence;
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
        return run(base, promoted, candidateVersion, buffer, heldOut, Lineage.NONE, newClasses, stopping);
    }

    /**
     * The evidence a base that is not the promoted version brings along.
     *
     * @param unseen the training labels that came since the base was trained: neither it nor the promoted version has
     *               learnt from them, so comparing the two on them is fresh evidence (used once, then trained on)
     * @param prior  what earlier rounds of the same lineage found on theirs
     */
    public record Lineage(List<Sample> unseen, PromotionGate.Tally prior) {

        public static final Lineage NONE = new Lineage(List.of(), PromotionGate.Tally.NONE);
    }

    /** As above, the gate counting the {@code lineage}'s evidence beside the held-out set. */
    public Outcome run(Version base, Version promoted, int candidateVersion, ReplayBuffer buffer, List<Sample> heldOut,
                       Lineage lineage, List<String> newClasses, BooleanSupplier stopping) throws IOException {
        ModelFile model = grown(ModelFile.fromBytes(base.bytes(), "model v" + base.number()), newClasses, candidateVersion);
        ModelFile served = base.number() == promoted.number() && newClasses.isEmpty() ? model
                : ModelFile.fromBytes(promoted.bytes(), "model v" + promoted.number());
        List<String> old = served.classNames();
        PromotionGate.Tally evidence = lineage.prior();
        if (served != model && newClasses.isEmpty() && !lineage.unseen().isEmpty()) {
            Dataset unseen = dataset(lineage.unseen(), model);
            evidence = evidence.plus(PromotionGate.Tally.of(Evaluator.evaluate(served.network(), unseen, served.normalisation(), 256),
                    Evaluator.evaluate(model.network(), unseen, model.normalisation(), 256), unseen.labels()));
        }
        // The old classes' held-out images, labelled as the (maybe grown) candidate numbers its classes; an image held
        // out again and again (a feed that repeats itself) counts once, with its latest label, or it would weigh as many.
        List<Sample> images = distinct(heldOut);
        Dataset judged = dataset(images.stream().filter(s -> old.contains(s.label())).toList(), model);
        Evaluation promotedScore = Evaluator.evaluate(served.network(), judged, served.normalisation(), 256);

        long start = System.nanoTime();
        TransferLearning.freezeUpTo(model.network(), config.freezeUpTo());
        Dataset drawn = dataset(draw(buffer, model.classNames(), old), model);
        int steps = (drawn.size() + config.batchSize() - 1) / config.batchSize();
        Trainer trainer = new Trainer(model.network(), model.normalisation(), new Trainer.Config(1, config.batchSize(),
                config.schedule().over(config.learningRate(), steps), config.optimizer().create(), Augmentation.NONE, 0f,
                config.seed() ^ candidateVersion));
        trainer.fit(drawn, null, new Trainer.Listener() {
            @Override
            public void step(int epoch, int step, int seen, int total, float loss) {
                if (stopping.getAsBoolean()) {
                    throw new RoundCancelledException(step, steps);
                }
            }
        });
        Duration trainingTime = Duration.ofNanos(System.nanoTime() - start);

        Evaluation candidateScore = Evaluator.evaluate(model.network(), judged, model.normalisation(), 256);
        PromotionGate.Verdict verdict;
        if (model.classNames().size() > old.size()) {
            Dataset fresh = dataset(images.stream().filter(s -> !old.contains(s.label())).toList(), model);
            verdict = gate.judgeGrowth(promotedScore, candidateScore, judged.labels(),
                    Evaluator.evaluate(model.network(), fresh, model.normalisation(), 256));
        } else {
            verdict = gate.judge(promotedScore, candidateScore, judged.labels(), evidence);
        }
        ModelInfo info = new ModelInfo(model.info().name(), candidateVersion, base.number(), Instant.now(), Map.of(
                "heldOutAccuracy", candidateScore.accuracy(),
                "heldOutLoss", candidateScore.meanLoss(),
                "promotedVersion", (double) promoted.number(),
                "promotedHeldOutAccuracy", promotedScore.accuracy(),
                "promotedHeldOutLoss", promotedScore.meanLoss(),
                "heldOutSamples", (double) images.size()));
        ModelFile candidate = model.withInfo(info);
        return new Outcome(candidate, promotedScore, candidateScore, verdict, images.size(), steps, trainingTime, evidence);
    }

    /** {@code samples} with one per image (by pixels): the latest of each, in the order of their latest. */
    static List<Sample> distinct(List<Sample> samples) {
        Map<ByteBuffer, Sample> latest = new LinkedHashMap<>();
        for (Sample sample : samples) {
            ByteBuffer pixels = ByteBuffer.wrap(sample.pixels());
            latest.remove(pixels);
            latest.put(pixels, sample);
        }
        return List.copyOf(latest.values());
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
        int count = config.steps(buffer.size()) * config.batchSize();
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
