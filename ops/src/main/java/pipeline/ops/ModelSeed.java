package pipeline.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;
import pipeline.config.Setting;
import pipeline.convnet.model.ModelFile;
import pipeline.infra.InfraException;
import pipeline.modelstore.ModelRecords;
import pipeline.modelstore.ModelTopicReader;
import pipeline.schemas.avro.ModelStatus;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroSerializer;
import pipeline.schemas.serde.SerdeOptions;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.ModelKey;
import pipeline.schemas.topics.Topics;

/**
 * Seeds {@code models} with a model file as version 1 of its name, promoted, when the topic holds no
 * version of that name, so that the whole system (workers, the gateway's label checks, the trainer)
 * starts from it. A name that already has versions (a restarted stack) is left alone; a stack started
 * with another model file seeds that model beside the ones it served before.
 */
final class ModelSeed {

    private ModelSeed() {
    }

    /**
     * @param setting the setting that named {@code modelFile}, for messages
     * @return the version published, or {@code null} when {@code models} already had versions of the model's name
     */
    static ModelKey seedIfNew(KafkaConnection kafka, SchemaRegistryClient registry, Path modelFile, Setting<Path> setting)
            throws InterruptedException {
        try {
            byte[] bytes = Files.readAllBytes(modelFile);
            ModelFile model = ModelFile.fromBytes(bytes, modelFile.toString());
            String name = model.info().name();
            if (hasVersionsOf(name, kafka, registry)) {
                return null;
            }
            ModelKey key = new ModelKey(name, 1);
            publish(ModelRecords.of(model, bytes, key.name(), key.version(), ModelStatus.PROMOTED), kafka, registry);
            return key;
        } catch (IOException e) {
            throw new InfraException("Cannot read the model file " + modelFile.toAbsolutePath() + " to seed the models topic: "
                    + e.getMessage() + " (set " + setting.key() + " / " + setting.envName() + ")", e);
        } catch (ExecutionException e) {
            throw new InfraException("Cannot seed the models topic with " + modelFile + ": " + e.getCause().getMessage(), e);
        } catch (KafkaException e) {
            throw new InfraException("Cannot seed the models topic with " + modelFile + ": " + e.getMessage(), e);
        }
    }

    private static boolean hasVersionsOf(String name, KafkaConnection kafka, SchemaRegistryClient registry) {
        boolean[] found = {false};
        try (ModelTopicReader reader = new ModelTopicReader(kafka, registry)) {
            reader.catchUp((record, read) -> found[0] |= record.key() != null && record.key().startsWith(name + ":"));
        }
        return found[0];
    }

    /**
     * Writes one version to {@code models} under its {@code name:version} key and waits for every replica to
     * have it; records up to {@link Topics#MAX_MODEL_RECORD_BYTES}, as large models need.
     *
     * @throws ExecutionException when the broker refused it
     */
    static void publish(ModelVersion record, KafkaConnection kafka, SchemaRegistryClient registry)
            throws ExecutionException, InterruptedException {
        Map<String, Object> config = kafka.clientConfig();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MODEL_RECORD_BYTES);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 2L * Topics.MAX_MODEL_RECORD_BYTES);
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(config, new StringSerializer(),
                new AvroSerializer<>(registry, SerdeOptions.DEFAULTS, false))) {
            producer.send(new ProducerRecord<>(Topics.MODELS.name(), new ModelKey(record.getName().toString(),
                    record.getVersion()).toString(), record)).get();
        }
    }
}
