package pipeline.convnet.train;

import pipeline.convnet.data.Augmentation;
import pipeline.convnet.data.BatchLoader;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.data.Normalisation;
import pipeline.convnet.loss.SoftmaxCrossEntropy;
import pipeline.convnet.net.Network;
import pipeline.convnet.net.ServingNetwork;
import pipeline.convnet.tensor.Tensor;

/**
 * Accuracy, per-class accuracy, confusion matrix and loss of a network on a labelled set, as it serves:
 * fused for inference and run from its buffer plan ({@link ServingNetwork}).
 */
public final class Evaluator {

    private Evaluator() {
    }

    public static Evaluation evaluate(Network network, Dataset data, Normalisation normalisation, int batchSize) {
        int classes = data.classNames().size();
        int[][] confusion = new int[classes][classes];
        BatchLoader loader = new BatchLoader(data, normalisation);
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(0f);
        int[] order = new int[data.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        int[] predictions = new int[data.size()];
        double lossSum = 0;
        ServingNetwork serving = ServingNetwork.of(network);
        for (int from = 0; from < order.length; from += batchSize) {
            int to = Math.min(order.length, from + batchSize);
            BatchLoader.Batch batch = loader.load(order, from, to, Augmentation.NONE, null);
            Tensor logits = serving.logits(batch.images());
            lossSum += loss.compute(logits, batch.labels()).loss() * (to - from);
            int k = logits.dim(1);
            for (int i = 0; i < to - from; i++) {
                int best = 0;
                for (int j = 1; j < k; j++) {
                    if (logits.data()[i * k + j] > logits.data()[i * k + best]) {
                        best = j;
                    }
                }
                confusion[batch.labels()[i]][best]++;
                predictions[from + i] = best;
            }
        }
        return new Evaluation(confusion, lossSum / Math.max(1, data.size()), data.classNames(), predictions);
    }
}
