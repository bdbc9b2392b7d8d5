package pipeline.modelstore;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import pipeline.convnet.model.ModelFile;
import pipeline.schemas.avro.InputSpec;
import pipeline.schemas.avro.ModelStatus;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.topics.KafkaClients;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.Topics;

/** A model file as a {@code models} record: what the trainer and the local stack publish, and workers verify. */
public final class ModelRecords {

    private ModelRecords() {
    }

    /**
     * A consumer's settings for reading {@code models} whole: committed versions only, no group
     * offsets (every reader needs the full history), fetches large enough for the largest model.
     */
    public static Map<String, Object> readerConfig(KafkaConnection kafka) {
        Map<String, Object> config = KafkaClients.committedReader(kafka, null);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_MODEL_RECORD_BYTES);
        config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Topics.MAX_MODEL_RECORD_BYTES);
        return config;
    }

    /**
     * @param model   the model the record describes (architecture, input, normalisation, classes, parent, metrics)
     * @param weights the bytes published as its weights: normally {@code model.toBytes()} or the file it was read from
     * @param name    the model name (the record key is {@code name:version})
     */
    public static ModelVersion of(ModelFile model, byte[] weights, String name, int version, ModelStatus status) {
        int[] input = model.network().input();
        List<Float> mean = new ArrayList<>();
        List<Float> std = new ArrayList<>();
        for (int c = 0; c < model.normalisation().mean().length; c++) {
            mean.add(model.normalisation().mean()[c]);
            std.add(model.normalisation().std()[c]);
        }
        return ModelVersion.newBuilder()
                .setName(name)
                .setVersion(version)
                .setParentVersion(model.info().parentVersion())
                .setArchitecture(model.network().spec())
                .setWeights(ByteBuffer.wrap(weights))
                .setWeightsSha256(ModelVerifier.sha256(weights))
                .setInput(new InputSpec(input[0], input[1], input[2], mean, std, model.resize().text()))
                .setClassNames(model.classNames())
                .setMetrics(model.info().metrics())
                .setCreatedAt(Instant.now())
                .setStatus(status)
                .build();
    }
}
