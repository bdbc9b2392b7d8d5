package pipeline.convnet.train;

import java.util.List;
import java.util.SplittableRandom;
import pipeline.convnet.data.Augmentation;
import pipeline.convnet.data.BatchLoader;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.data.Normalisation;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.layer.Parameter;
import pipeline.convnet.loss.SoftmaxCrossEntropy;
import pipeline.convnet.net.Network;
import pipeline.convnet.optim.LearningRateSchedule;
import pipeline.convnet.optim.Optimizer;
import pipeline.convnet.tensor.Tensor;

/**
 * Mini-batch training: each epoch shuffles the training set (from the seed), and each batch runs
 * forward, softmax cross-entropy, backward and one optimizer step at the schedule's rate. The same
 * seed and thread count give the same weights.
 */
public final class Trainer {

    /**
     * @param epochs         passes over the training set
     * @param batchSize      images per step
     * @param schedule       learning rate per step
     * @param labelSmoothing ε for the loss
     * @param seed           shuffling and augmentation
     */
    public record Config(int epochs, int batchSize, LearningRateSchedule schedule, Optimizer optimizer,
                         Augmentation augmentation, float labelSmoothing, long seed) {
        public Config {
            if (epochs < 1 || batchSize < 1) {
                throw new IllegalArgumentException("epochs and batch size must be 1 or more; got " + epochs + " and " + batchSize);
            }
        }
    }

    /** Hears about progress; every method has a default, so listeners implement what they show. */
    public interface Listener {
        /** After each step: {@code seen} of {@code total} images of this epoch. */
        default void step(int epoch, int step, int seen, int total, float loss) {
        }

        /** After each epoch, with the evaluation on the test set (or {@code null} without one). */
        default void epoch(int epoch, double trainLoss, Evaluation test) {
        }
    }

    private final Network network;
    private final Normalisation normalisation;
    private final Config config;
    private final SoftmaxCrossEntropy loss;
    private int step;

    public Trainer(Network network, Normalisation normalisation, Config config) {
        this.network = network;
        this.normalisation = normalisation;
        this.config = config;
        this.loss = new SoftmaxCrossEntropy(config.labelSmoothing());
    }

    /** Trains for the configured epochs; evaluates on {@code test} after each when it is given. */
    public void fit(Dataset train, Dataset test, Listener listener) {
        SplittableRandom random = new SplittableRandom(config.seed());
        BatchLoader loader = new BatchLoader(train, normalisation);
        int[] order = new int[train.size()];
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            shuffle(order, random);
            double lossSum = 0;
            for (int from = 0; from < order.length; from += config.batchSize()) {
                int to = Math.min(order.length, from + config.batchSize());
                BatchLoader.Batch batch = loader.load(order, from, to, config.augmentation(), random);
                float batchLoss = trainStep(batch.images(), batch.labels(), epoch);
                lossSum += batchLoss * (to - from);
                listener.step(epoch, step, to, order.length, batchLoss);
            }
            listener.epoch(epoch, lossSum / order.length,
                    test == null ? null : Evaluator.evaluate(network, test, normalisation, 256));
        }
    }

    /** One forward, backward and update on a batch; returns the batch's loss. */
    public float trainStep(Tensor images, int[] labels, int epoch) {
        List<Parameter> trainable = network.graph().trainableParameters();
        trainable.forEach(Parameter::zeroGrad);
        SoftmaxCrossEntropy.Result result = loss.compute(network.forward(images, Mode.TRAIN), labels);
        if (!Float.isFinite(result.loss())) {
            throw new TrainingDivergedException("the loss became " + result.loss() + " at step " + (step + 1)
                    + " (epoch " + epoch + ", learning rate " + config.schedule().rate(step)
                    + "); lower the learning rate or check the data");
        }
        network.backward(result.gradLogits());
        config.optimizer().step(trainable, config.schedule().rate(step));
        step++;
        return result.loss();
    }

    /** Fisher–Yates over {@code 0..n-1}, into {@code order}. */
    public static void shuffle(int[] order, SplittableRandom random) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
