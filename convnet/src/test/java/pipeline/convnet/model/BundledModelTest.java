package pipeline.convnet.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.train.Evaluation;
import pipeline.convnet.train.Evaluator;

/** The model the local stack serves: in place, small, and as good as its file says. */
class BundledModelTest {

    static final Path MODEL = Path.of("../models/fashion-lenet5.model");
    static final Path SAMPLE = Path.of("src/test/resources/fashion-mnist-sample");

    @Test
    void theBundledLenetIsSmallAndMeetsTheBar() throws IOException {
        ModelFile model = ModelFile.read(MODEL);

        assertThat(Files.size(MODEL)).isLessThanOrEqualTo(2L << 20);
        assertThat(model.info().name()).isEqualTo("fashion-lenet5");
        assertThat(model.classNames()).isEqualTo(Dataset.FASHION_MNIST_CLASSES);
        assertThat(model.info().metrics().get("testAccuracy")).as("accuracy on the full test set").isGreaterThanOrEqualTo(0.905);
    }

    @Test
    void itClassifiesTheFirstThousandTestImagesAsWellAsItsRecordSays() throws IOException {
        ModelFile model = ModelFile.read(MODEL);
        Dataset firstThousand = Dataset.readIdx(SAMPLE, "t10k", model.classNames());

        Evaluation evaluation = Evaluator.evaluate(model.network(), firstThousand, model.normalisation(), 250);

        // The sample's test images are the first 1,000 of the official 10,000.
        assertThat(evaluation.accuracy()).isGreaterThan(0.88);
    }
}
