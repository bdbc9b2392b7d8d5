package pipeline.worker;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import pipeline.convnet.loss.SoftmaxCrossEntropy;
import pipeline.convnet.net.Network;
import pipeline.convnet.tensor.Tensor;
import pipeline.modelstore.ModelSnapshot;

/** One batch through one model snapshot: the top-k classes with probabilities, and the embedding, per image. */
public final class Predictor {

    /** A class and its softmax probability. */
    public record Scored(String label, float probability) {}

    /** The answer for one image. */
    public record ImagePrediction(List<Scored> topK, float[] embedding) {}

    /** The answers for a batch, in input order, and the forward pass's duration. */
    public record BatchPrediction(List<ImagePrediction> images, long inferenceMicros) {}

    private final int topK;

    public Predictor(int topK) {
        if (topK < 1) {
            throw new IllegalArgumentException("top-k must be 1 or more; got " + topK);
        }
        this.topK = topK;
    }

    public BatchPrediction predict(ModelSnapshot snapshot, List<BufferedImage> images) {
        long start = System.nanoTime();
        Tensor input = snapshot.input().batch(images.toArray(BufferedImage[]::new));
        Network.Output output = snapshot.serving().infer(input);
        long micros = (System.nanoTime() - start) / 1000;
        Tensor probabilities = SoftmaxCrossEntropy.softmax(output.logits());
        List<String> classes = snapshot.model().classNames();
        int k = classes.size();
        int f = output.embeddings().dim(1);
        List<ImagePrediction> answers = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            int row = i;
            Integer[] order = new Integer[k];
            for (int j = 0; j < k; j++) {
                order[j] = j;
            }
            Arrays.sort(order, (a, b) -> Float.compare(probabilities.data()[row * k + b], probabilities.data()[row * k + a]));
            List<Scored> top = new ArrayList<>();
            for (int j = 0; j < Math.min(topK, k); j++) {
                top.add(new Scored(classes.get(order[j]), probabilities.data()[row * k + order[j]]));
            }
            answers.add(new ImagePrediction(top, Arrays.copyOfRange(output.embeddings().data(), i * f, (i + 1) * f)));
        }
        return new BatchPrediction(answers, micros);
    }
}
