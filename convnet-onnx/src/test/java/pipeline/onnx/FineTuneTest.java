package pipeline.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pipeline.convnet.layer.Linear;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.loss.SoftmaxCrossEntropy;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.net.Graph;
import pipeline.convnet.net.Network;
import pipeline.convnet.optim.Sgd;
import pipeline.convnet.tensor.Tensor;

/**
 * An imported model trains: MobileNetV2 (torchvision's architecture, 224×224 RGB) written as ONNX and
 * read back, its last layer (a Gemm, imported as a linear layer) fine-tuned on 200 images over the
 * frozen body's features at least halves the loss.
 */
class FineTuneTest {

    @TempDir
    Path dir;

    @Test
    void fineTuningAnImportedMobileNetsLastLayerLowersTheLoss() throws Exception {
        Path file = dir.resolve("mobilenetv2.onnx");
        OnnxExporter.write(RoundTripTest.model("mobilenetv2"), file);
        ModelFile imported = OnnxModels.importClassifier(file, null, OnnxModels.IMAGENET, "mobilenetv2");
        Network network = imported.network();
        Graph.Node head = network.graph().producer(network.logitsValue());
        assertThat(head.op()).isInstanceOf(Linear.class);
        Linear last = (Linear) head.op();

        int n = 200;
        int[] labels = new int[n];
        Tensor features = features(network, n, labels);
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(0f);
        Sgd sgd = new Sgd(0.9f, false, 0f);
        // A step that stays stable whatever the features' scale: the loss's curvature in the weights grows with |f|².
        double squares = 0;
        for (float v : features.data()) {
            squares += v * v;
        }
        float rate = (float) (0.5 * n / squares);
        float before = loss.compute(last.forward(features, Mode.INFER), labels).loss();
        for (int step = 0; step < 50; step++) {
            last.parameters().forEach(p -> p.zeroGrad());
            SoftmaxCrossEntropy.Result result = loss.compute(last.forward(features, Mode.TRAIN), labels);
            last.backward(result.gradLogits());
            sgd.step(last.parameters(), rate);
        }
        float after = loss.compute(last.forward(features, Mode.INFER), labels).loss();

        assertThat(after).as("loss after 50 steps on the last layer (before: %f)", before).isLessThan(0.5f * before);
    }

    /**
     * The frozen body's output (the head's input) for {@code n} images whose class (one of 4) is the
     * brightest of their four quadrants, 20 images at a time.
     */
    private static Tensor features(Network network, int n, int[] labels) {
        int[] in = network.input();
        SplittableRandom random = new SplittableRandom(3);
        Tensor features = null;
        for (int from = 0; from < n; from += 20) {
            Tensor images = Tensor.zeros(network.batchShape(20));
            int plane = in[1] * in[2];
            for (int i = 0; i < 20; i++) {
                int label = random.nextInt(4);
                labels[from + i] = label;
                for (int c = 0; c < in[0]; c++) {
                    for (int p = 0; p < plane; p++) {
                        int quadrant = (p / in[2] < in[1] / 2 ? 0 : 2) + (p % in[2] < in[2] / 2 ? 0 : 1);
                        images.data()[(i * in[0] + c) * plane + p] = (float) random.nextGaussian() * 0.5f
                                + (quadrant == label ? 1.5f : 0f);
                    }
                }
            }
            Tensor batch = network.graph().forward(Mode.INFER, images)[network.embeddingValue()];
            if (features == null) {
                features = Tensor.zeros(n, batch.dim(1));
            }
            System.arraycopy(batch.data(), 0, features.data(), from * batch.dim(1), batch.size());
        }
        return features;
    }
}
