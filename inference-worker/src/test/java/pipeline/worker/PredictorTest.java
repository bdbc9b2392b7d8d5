package pipeline.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import pipeline.images.DecodedImage;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.train.Evaluator;
import pipeline.modelstore.ModelSnapshot;
import pipeline.modelstore.ModelVerifier;

/** The bundled model through the worker's path (images → input → top-k) agrees with the engine's own evaluation. */
class PredictorTest {

    static final Path SAMPLE = Path.of("../convnet/src/test/resources/fashion-mnist-sample");

    @Test
    void topOneAgreesWithTheEngineAndEmbeddingsHaveUnitLength() throws Exception {
        ModelSnapshot snapshot = new ModelVerifier().verify(BundledModel.record(1, BundledModel.bytes()), null);
        Dataset test = Dataset.readIdx(SAMPLE, "t10k", snapshot.model().classNames());
        List<BufferedImage> images = new ArrayList<>();
        for (int i = 0; i < test.size(); i++) {
            images.add(test.picture(i));
        }

        Predictor.BatchPrediction batch = new Predictor(3).predict(snapshot, images.stream().map(DecodedImage.Picture::new).toList());

        int correct = 0;
        for (int i = 0; i < test.size(); i++) {
            Predictor.ImagePrediction answer = batch.images().get(i);
            assertThat(answer.topK()).hasSize(3);
            assertThat(answer.topK().get(0).probability()).isGreaterThanOrEqualTo(answer.topK().get(1).probability());
            double norm = 0;
            for (float v : answer.embedding()) {
                norm += v * v;
            }
            assertThat(norm).isCloseTo(1.0, within(1e-4));
            correct += answer.topK().get(0).label().equals(test.classNames().get(test.labels()[i])) ? 1 : 0;
        }
        double engine = Evaluator.evaluate(snapshot.model().network(), test, snapshot.model().normalisation(), 250).accuracy();
        assertThat(correct / 1000.0).isCloseTo(engine, within(1e-9));
        assertThat(batch.inferenceMicros()).isPositive();
    }
}
