package pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.Topics;

/** The committed versions on {@code models}, read as the services read them, for tests of the trainer's guarantees. */
record ModelHistory(KafkaConnection kafka, SchemaRegistryClient registry) {

    List<ModelVersion> read() {
        return CommittedRecords.read(kafka, registry, Topics.MODELS.name(), ModelVersion.class);
    }

    /** Reads {@code models} every second until {@code done} holds of its versions (at most 3 minutes), and returns them. */
    List<ModelVersion> await(Predicate<List<ModelVersion>> done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        List<ModelVersion> versions = read();
        while (!done.test(versions)) {
            assertThat(System.nanoTime()).as("waiting for %s; models: %s", what, describe(versions)).isLessThan(deadline);
            Thread.sleep(1_000);
            versions = read();
        }
        return versions;
    }

    static ModelVersion highest(List<ModelVersion> versions) {
        return versions.stream().max((a, b) -> Integer.compare(a.getVersion(), b.getVersion())).orElseThrow();
    }

    /** {@code [v1(parent null, PROMOTED), v2(parent 1, CANDIDATE), …]}, for a failure's message. */
    static String describe(List<ModelVersion> versions) {
        return versions.stream().map(v -> "v" + v.getVersion() + "(parent " + v.getParentVersion() + ", " + v.getStatus() + ")").toList()
                .toString();
    }
}
