package pipeline.trainer;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.convnet.model.ModelFile;
import pipeline.modelstore.ModelRefusedException;
import pipeline.modelstore.ModelSnapshot;
import pipeline.modelstore.ModelTopicReader;
import pipeline.modelstore.ServedModel;
import pipeline.schemas.avro.ModelStatus;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.intake.Intake;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.KafkaConnection;

/**
 * What {@code models} says about one model: the highest version ever published (promoted or not,
 * so no number is used twice) and the version promoted, the one to fine-tune, by the rule the
 * workers serve by ({@link ServedModel}: a republished older version, a rollback, counts). Read from the start, committed records only, up
 * to the topic's end at each {@link #catchUp}. Not thread-safe: the training loop owns it.
 */
final class ModelLineage implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelLineage.class);

    /** A promoted version whose weights passed verification ({@link ServedModel}). */
    record Promoted(ModelVersion record, byte[] weights) {
        int version() {
            return record.getVersion();
        }
    }

    private final String modelName;
    private final ModelTopicReader reader;
    /** Which version is promoted, by the rule the workers serve by. */
    private final ServedModel served;
    private int highest;
    private long samplesSeen;
    private Promoted promoted;
    private volatile long skipped;

    ModelLineage(KafkaConnection kafka, SchemaRegistryClient registry, String modelName) {
        this.modelName = modelName;
        this.served = ServedModel.named(modelName);
        this.reader = new ModelTopicReader(kafka, registry);
    }

    /** Reads every record committed to {@code models} up to now. */
    void catchUp() {
        reader.catchUp(this::consider);
    }

    /** The promoted version's classes, in output order (none while nothing is promoted). */
    List<String> promotedClasses() {
        return promoted == null ? List.of() : promoted.record().getClassNames();
    }

    /** The highest version of the model published so far; 0 when there is none. */
    int highestVersion() {
        return highest;
    }

    /** Training samples seen by the highest version: where the next one's count continues from. */
    long samplesSeen() {
        return samplesSeen;
    }

    /** Records on {@code models} that are not model versions, skipped since start. */
    long skippedRecords() {
        return skipped;
    }

    /** The version to fine-tune, or {@code null} when none is promoted. */
    Promoted promoted() {
        return promoted;
    }

    /** Records what this trainer itself has just published ({@code model} is its model file), without waiting to read it back. */
    void published(ModelVersion version, ModelFile model) {
        count(version);
        if (version.getStatus() == ModelStatus.PROMOTED) {
            served.adopt(version, new ModelSnapshot(modelName, version.getVersion(), model));
            promoted = new Promoted(version, weights(version));
        }
    }

    /** Records that are not model versions are skipped (the intake logs them) and counted. */
    private void consider(ConsumerRecord<String, byte[]> record, Intake<ModelVersion> read) {
        if (!(read instanceof Intake.Accepted<ModelVersion>(ModelVersion version))) {
            skipped++;
            return;
        }
        if (!version.getName().equals(modelName)) {
            return;
        }
        count(version);
        try {
            if (served.consider(version)) {
                promoted = new Promoted(version, weights(version));
            }
        } catch (ModelRefusedException e) {
            LOG.warn("Promoted {} cannot be fine-tuned; keeping v{}: {}", version.getName() + " v" + version.getVersion(),
                    promoted == null ? "none" : promoted.version(), e.getMessage());
        }
    }

    private static byte[] weights(ModelVersion version) {
        byte[] weights = new byte[version.getWeights().remaining()];
        version.getWeights().duplicate().get(weights);
        return weights;
    }

    private void count(ModelVersion version) {
        if (version.getVersion() >= highest) {
            highest = version.getVersion();
            samplesSeen = version.getSamplesSeen();
        }
    }

    @Override
    public void close() {
        reader.close();
    }
}
