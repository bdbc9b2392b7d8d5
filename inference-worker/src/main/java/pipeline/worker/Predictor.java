package pipeline.worker;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import pipeline.convnet.loss.SoftmaxCrossEntropy;
import pipeline.convnet.loss.TopK;
import pipeline.convnet.net.Network;
import pipeline.convnet.tensor.Tensor;
import pipeline.images.DecodedImage;
import pipeline.modelstore.ModelSnapshot;

/** One batch through one model snapshot: the top-k classes with probabilities, and the embedding, per image. */
public final class Predictor {

    /** A class and its softmax probability. */
    public record Scored(String label, float probability) {}

    /** The answer for one image. */
    public record ImagePrediction(List<Scored> topK, float[] embedding) {}

    /** The answers for a batch, in input order, and how long its forward pass took. */
    public record BatchPrediction(List<ImagePrediction> images, long inferenceMicros) {}

    private final int topK;

    public Predictor(int topK) {
        if (topK < 1) {
            throw new IllegalArgumentException("top-k must be 1 or more; got " + topK);
        }
        this.topK = topK;
    }

    /** The images, made the model's input (resized, normalised) here. */
    public BatchPrediction predict(ModelSnapshot snapshot, List<? extends DecodedImage> images) {
        return predict(snapshot, snapshot.input().batch(images));
    }

    /** A batch already made the model's input {@code [N, C, H, W]}, e.g. by {@link pipeline.modelstore.ModelInput#write}. */
    public BatchPrediction predict(ModelSnapshot snapshot, Tensor input) {
        long preprocessed = System.nanoTime();
        Network.Output output = snapshot.serving().infer(input);
        long inferred = System.nanoTime();
        Tensor probabilities = SoftmaxCrossEntropy.softmax(output.logits());
        List<String> classes = snapshot.model().classNames();
        int k = classes.size();
        int f = output.embeddings().dim(1);
        int n = input.dim(0);
        List<ImagePrediction> answers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            List<Scored> top = new ArrayList<>(topK);
            for (int best : TopK.of(probabilities.data(), i * k, k, topK)) {
                top.add(new Scored(classes.get(best), probabilities.data()[i * k + best]));
            }
            answers.add(new ImagePrediction(top, Arrays.copyOfRange(output.embeddings().data(), i * f, (i + 1) * f)));
        }
        return new BatchPrediction(answers, (inferred - preprocessed) / 1000);
    }
}
