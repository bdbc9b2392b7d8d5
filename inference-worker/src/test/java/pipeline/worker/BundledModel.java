package pipeline.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import pipeline.convnet.model.ModelFile;
import pipeline.modelstore.ModelRecords;
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
        return ModelRecords.of(ModelFile.read(FILE), weights, name, version, ModelStatus.PROMOTED);
    }
}
