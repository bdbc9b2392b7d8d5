package pipeline.trainer;

import pipeline.convnet.data.Augmentation;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.data.Normalisation;
import pipeline.convnet.init.Initializer;
import pipeline.convnet.net.Network;
import pipeline.convnet.net.NetworkSpec;
import pipeline.convnet.optim.LearningRateSchedule;
import pipeline.convnet.optim.Sgd;
import pipeline.convnet.train.Evaluator;
import pipeline.convnet.train.Trainer;

/**
 * What continuous training is measured against: the same architecture (LeNet-5) trained offline, from
 * scratch, on the images the stream brought to the training side, for as many gradient steps as the
 * stream's rounds took — with the recipe the bundled model was trained with (Nesterov momentum 0.9,
 * learning rate 0.05 on a cosine schedule, weight decay 5·10⁻⁴, batches of 64), warmed up over its first
 * {@value #WARMUP} steps: without it one initialisation in three never left chance (seed 3: 10 % after
 * 9 epochs; with the warm-up 89 %).
 */
final class OfflineBaseline {

    static final int BATCH = 64;
    static final int WARMUP = 200;

    private OfflineBaseline() {
    }

    /**
     * Test accuracy of LeNet-5 trained on {@code images} for about {@code steps} steps (whole epochs, at least one).
     *
     * @param seed initialisation and shuffling
     */
    static double testAccuracy(Dataset images, int steps, Dataset test, long seed) {
        int stepsPerEpoch = Math.ceilDiv(images.size(), BATCH);
        int epochs = Math.max(1, Math.round((float) steps / stepsPerEpoch));
        Network network = NetworkSpec.builtIn("lenet5", seed);
        new Initializer(Initializer.Scheme.HE, seed).initialise(network.graph());
        new Trainer(network, Normalisation.FASHION_MNIST, new Trainer.Config(epochs, BATCH,
                LearningRateSchedule.cosine(0.05f, epochs * stepsPerEpoch, 0f).withWarmup(WARMUP), new Sgd(0.9f, true, 5e-4f), Augmentation.NONE, 0f,
                seed)).fit(images, null, new Trainer.Listener() { });
        return Evaluator.evaluate(network, test, Normalisation.FASHION_MNIST, 256).accuracy();
    }
}
