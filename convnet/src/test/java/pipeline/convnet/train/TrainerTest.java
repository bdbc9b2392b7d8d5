package pipeline.convnet.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import pipeline.convnet.data.Augmentation;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.data.Normalisation;
import pipeline.convnet.init.Initializer;
import pipeline.convnet.kernel.Parallelism;
import pipeline.convnet.layer.Parameter;
import pipeline.convnet.net.Network;
import pipeline.convnet.net.NetworkSpec;
import pipeline.convnet.optim.LearningRateSchedule;
import pipeline.convnet.optim.Sgd;

/** Training on the committed Fashion-MNIST sample: a broken forward or backward pass cannot reach the bar. */
class TrainerTest {

    static final Path SAMPLE = Path.of("src/test/resources/fashion-mnist-sample");
    static Dataset train;
    static Dataset test;

    @BeforeAll
    static void load() throws IOException {
        train = Dataset.readIdx(SAMPLE, "train", Dataset.FASHION_MNIST_CLASSES);
        test = Dataset.readIdx(SAMPLE, "t10k", Dataset.FASHION_MNIST_CLASSES);
    }

    @AfterEach
    void restoreThreads() {
        Parallelism.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void lenet5LearnsFashionFromTheSample() {
        Network lenet = freshLenet(1);
        Evaluation before = Evaluator.evaluate(lenet, test, Normalisation.FASHION_MNIST, 250);

        trainer(lenet, 4, 1).fit(train, null, new Trainer.Listener() { });
        Evaluation after = Evaluator.evaluate(lenet, test, Normalisation.FASHION_MNIST, 250);

        // Chance is 10%; 4 epochs over 2,500 images reach about 78% when forward and backward are right.
        assertThat(before.accuracy()).isLessThan(0.3);
        assertThat(after.accuracy()).as("test accuracy after training").isGreaterThan(0.72);
        assertThat(after.total()).isEqualTo(1000);
        int right = 0;
        for (int i = 0; i < test.size(); i++) {
            right += after.predictions()[i] == test.labels()[i] ? 1 : 0;
        }
        assertThat(right).as("images whose prediction is their label").isEqualTo((int) Math.round(after.accuracy() * 1000));
    }

    @Test
    void theSameSeedGivesTheSameWeightsWhateverTheThreadCount() {
        Dataset small = train.head(256);
        Network one = freshLenet(7);
        Network two = freshLenet(7);

        Parallelism.setThreads(1);
        trainer(one, 1, 7).fit(small, null, new Trainer.Listener() { });
        Parallelism.setThreads(2);
        trainer(two, 1, 7).fit(small, null, new Trainer.Listener() { });

        List<Parameter> a = one.parameters();
        List<Parameter> b = two.parameters();
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i).value().data()).as("parameter %d", i).containsExactly(a.get(i).value().data());
        }
    }

    @Test
    void aDivergingLossStopsTrainingNamingTheStep() {
        Network lenet = freshLenet(1);
        Trainer exploding = new Trainer(lenet, Normalisation.FASHION_MNIST, new Trainer.Config(1, 32,
                LearningRateSchedule.constant(1e6f), new Sgd(0f, false, 0f), Augmentation.NONE, 0f, 1));

        assertThatThrownBy(() -> exploding.fit(train.head(640), null, new Trainer.Listener() { }))
                .isInstanceOf(TrainingDivergedException.class)
                .hasMessageMatching("the loss became (NaN|Infinity) at step \\d+ \\(epoch 1, learning rate 1000000.0\\).*");
    }

    private static Network freshLenet(long seed) {
        Network lenet = NetworkSpec.builtIn("lenet5", seed);
        new Initializer(Initializer.Scheme.HE, seed).initialise(lenet.graph());
        return lenet;
    }

    private static Trainer trainer(Network network, int epochs, long seed) {
        return new Trainer(network, Normalisation.FASHION_MNIST, new Trainer.Config(epochs, 32,
                LearningRateSchedule.constant(0.05f), new Sgd(0.9f, false, 5e-4f), Augmentation.NONE, 0f, seed));
    }
}
