package pipeline.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.convnet.data.Augmentation;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.data.Normalisation;
import pipeline.convnet.init.Initializer;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.model.ModelInfo;
import pipeline.convnet.net.Network;
import pipeline.convnet.net.NetworkSpec;
import pipeline.convnet.optim.Adam;
import pipeline.convnet.optim.LearningRateSchedule;
import pipeline.convnet.train.Evaluation;
import pipeline.convnet.train.Evaluator;
import pipeline.convnet.train.Trainer;
import pipeline.convnet.train.TransferLearning;
import pipeline.modelstore.ModelRecords;
import pipeline.schemas.avro.ModelStatus;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.topics.ModelKey;
import pipeline.schemas.topics.Topics;

/**
 * A model to start from when {@code models} has no promoted version of the trainer's model: the
 * {@code trainer.cold-start} model file as it is, or a LeNet-5 trained on the Fashion-MNIST IDX
 * files in that folder. Published as PROMOTED under the next free version number (1 on an empty topic).
 */
public final class ColdStart {

    private static final Logger LOG = LoggerFactory.getLogger(ColdStart.class);

    private ColdStart() {
    }

    /** Publishes a first version unless one is promoted already; returns whether it published. */
    static boolean ensurePromoted(TrainerSettings settings, ModelLineage lineage, VersionPublisher publisher) throws IOException {
        if (lineage.promoted() != null) {
            return false;
        }
        int version = lineage.highestVersion() + 1;
        Path source = settings.coldStart();
        ModelFile model = Files.isDirectory(source) ? train(source, settings) : ModelFile.read(source);
        ModelFile first = model.withInfo(new ModelInfo(settings.modelName(), version, null, Instant.now(), model.info().metrics()));
        byte[] weights = first.toBytes();
        ModelVersion record = ModelRecords.of(first, weights, settings.modelName(), version, ModelStatus.PROMOTED);
        List<ProducerRecord<String, SpecificRecord>> out = List.of(
                new ProducerRecord<>(Topics.MODELS.name(), new ModelKey(settings.modelName(), version).toString(), record));
        publisher.publish(out, Map.of(), null);
        lineage.published(record, first);
        LOG.info("No promoted {} on {}: published v{} from {}", settings.modelName(), Topics.MODELS.name(), version, source);
        return true;
    }

    /** LeNet-5 trained with Adam on {@code folder}'s {@code train} images, scored on its {@code t10k} images when present. */
    private static ModelFile train(Path folder, TrainerSettings settings) throws IOException {
        LOG.info("Training a first {} from the images in {} ({} epochs)", settings.modelName(), folder, settings.coldStartEpochs());
        return lenetFromIdx(folder, Integer.MAX_VALUE, settings.coldStartEpochs(), settings.round().seed(), settings.modelName());
    }

    /**
     * A LeNet-5 trained with Adam on the first {@code limit} {@code train} images of an IDX folder,
     * with its accuracy on the folder's {@code t10k} images (when there are any) in its metrics.
     */
    public static ModelFile lenetFromIdx(Path folder, int limit, int epochs, long seed, String name) throws IOException {
        Dataset train = Dataset.readIdx(folder, "train", Dataset.FASHION_MNIST_CLASSES);
        ModelFile model = lenet(train.head(Math.min(limit, train.size())), epochs, seed, name);
        if (!Files.exists(folder.resolve("t10k-labels-idx1-ubyte.gz")) && !Files.exists(folder.resolve("t10k-labels-idx1-ubyte"))) {
            return model;
        }
        Evaluation test = Evaluator.evaluate(model.network(), Dataset.readIdx(folder, "t10k", Dataset.FASHION_MNIST_CLASSES),
                model.normalisation(), 256);
        return model.withInfo(new ModelInfo(name, 1, null, Instant.now(), Map.of("testAccuracy", test.accuracy(),
                "testLoss", test.meanLoss())));
    }

    /**
     * A LeNet-5 initialised (He) and trained from scratch with Adam (learning rate 10⁻³, batches of 64) on Fashion-MNIST-like
     * images, its head sized to their classes.
     */
    public static ModelFile lenet(Dataset train, int epochs, long seed, String name) {
        Network built = NetworkSpec.builtIn("lenet5", seed);
        new Initializer(Initializer.Scheme.HE, seed).initialise(built.graph());
        int classes = train.classNames().size();
        Network network = classes == built.classes() ? built : TransferLearning.withNewHead(built, classes, seed);
        new Trainer(network, Normalisation.FASHION_MNIST, new Trainer.Config(epochs, 64, LearningRateSchedule.constant(1e-3f),
                Adam.adam(0f), Augmentation.NONE, 0f, seed)).fit(train, null, new Trainer.Listener() { });
        return new ModelFile(network, Normalisation.FASHION_MNIST, train.classNames(), new ModelInfo(name, 1, null, Instant.now(), Map.of()));
    }
}
