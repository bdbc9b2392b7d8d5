package pipeline.worker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import pipeline.convnet.model.ModelFile;
import pipeline.schemas.avro.InputSpec;
import pipeline.schemas.avro.ModelStatus;
import pipeline.schemas.avro.ModelVersion;

/** The bundled LeNet-5 as a {@code models} record, as the trainer or the local stack publishes it. */
final class BundledModel {

    static final Path FILE = Path.of("../models/fashion-lenet5.model");

    private BundledModel() {
    }

    static byte[] bytes() throws IOException {
        return Files.readAllBytes(FILE);
    }

    static ModelVersion record(int version, byte[] weights) throws IOException {
        return record("fashion-lenet5", version, weights);
    }

    /** Under another model name, so tests that share the {@code models} topic do not follow each other's versions. */
    static ModelVersion record(String name, int version, byte[] weights) throws IOException {
        ModelFile model = ModelFile.read(FILE);
        int[] input = model.network().input();
        List<Float> mean = List.of(model.normalisation().mean()[0]);
        List<Float> std = List.of(model.normalisation().std()[0]);
        return ModelVersion.newBuilder()
                .setName(name)
                .setVersion(version)
                .setArchitecture(model.network().spec())
                .setWeights(ByteBuffer.wrap(weights))
                .setWeightsSha256(ModelVerifier.sha256(weights))
                .setInput(new InputSpec(input[0], input[1], input[2], mean, std))
                .setClassNames(model.classNames())
                .setMetrics(Map.of())
                .setCreatedAt(Instant.now())
                .setStatus(ModelStatus.PROMOTED)
                .build();
    }
}
