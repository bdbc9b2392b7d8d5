package pipeline.ops.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import pipeline.convnet.data.Augmentation;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.kernel.Parallelism;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.optim.Adam;
import pipeline.convnet.optim.LearningRateSchedule;
import pipeline.convnet.train.Trainer;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.Topics;
import pipeline.trainer.ServingPressure;

/**
 * The process {@link TrainingLoad} starts: fine-tunes the bundled LeNet-5 on the committed Fashion-MNIST
 * sample as the trainer's rounds do (Adam at 5·10⁻⁴, batches of 64, one engine thread, rounds of 150
 * steps), round after round until killed, and between steps pauses as the trainer does while the given
 * workers are behind (at most a minute per round).
 *
 * <pre>
 * TrainingLoadMain BOOTSTRAP WORKER_GROUP YIELD_LAG     YIELD_LAG 0: never pause
 * </pre>
 */
public final class TrainingLoadMain {

    private static final int ROUND_STEPS = 150;
    private static final int BATCH = 64;
    private static final Duration MAX_YIELD = Duration.ofMinutes(1);

    private TrainingLoadMain() {
    }

    public static void main(String[] args) throws IOException {
        Parallelism.setThreads(1);
        ModelFile model = ModelFile.read(Path.of("models/fashion-lenet5.model"));
        Dataset sample = Dataset.readIdx(Path.of("convnet/src/test/resources/fashion-mnist-sample"), "t10k",
                Dataset.FASHION_MNIST_CLASSES);
        int epochs = (int) Math.ceil((double) ROUND_STEPS * BATCH / sample.size());
        try (ServingPressure serving = new ServingPressure(KafkaConnection.plaintext(args[0]), args[1], Topics.IMAGES.name(), Long.parseLong(args[2]))) {
            for (long round = 0; ; round++) {
                Duration[] yielded = {Duration.ZERO};
                new Trainer(model.network(), model.normalisation(), new Trainer.Config(epochs, BATCH,
                        LearningRateSchedule.constant(5e-4f), Adam.adam(0f), Augmentation.NONE, 0f, round))
                        .fit(sample, null, new Trainer.Listener() {
                            @Override
                            public void step(int epoch, int step, int seen, int total, float loss) {
                                yielded[0] = yielded[0].plus(serving.yieldWhileBehind(MAX_YIELD.minus(yielded[0]), () -> false));
                            }
                        });
            }
        }
    }
}
