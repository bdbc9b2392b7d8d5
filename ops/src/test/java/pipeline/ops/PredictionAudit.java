package pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.Topics;

/** Counts, from {@code predictions} as a {@code read_committed} reader sees it, the predictions of the images a gateway accepted. */
record PredictionAudit(KafkaConnection kafka, SchemaRegistryClient registry) {

    /**
     * Waits up to {@code timeout} until each of {@code accepted} has a committed prediction, then a little longer
     * for doubles; each must have exactly one.
     *
     * @return how long it took until every accepted image had its prediction
     */
    Duration assertEachHasExactlyOnePrediction(Set<String> accepted, Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        Map<String, Long> counts = counts(accepted);
        while (counts.size() < accepted.size() && System.nanoTime() - start < timeout.toNanos()) {
            Thread.sleep(1_000);
            counts = counts(accepted);
        }
        Duration predicted = Duration.ofNanos(System.nanoTime() - start);
        Thread.sleep(2_000);
        counts = counts(accepted);
        assertThat(counts.keySet()).as("accepted images with a prediction; missing %s", difference(accepted, counts.keySet()))
                .hasSameSizeAs(accepted);
        assertThat(counts).as("predictions per image").allSatisfy((id, count) -> assertThat(count).isEqualTo(1L));
        return predicted;
    }

    /** Committed predictions per image of {@code ids} that has one. */
    Map<String, Long> counts(Set<String> ids) {
        return CommittedRecords.read(kafka, registry, Topics.PREDICTIONS.name(), Prediction.class).stream()
                .map(p -> p.getImageId().toString()).filter(ids::contains)
                .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
    }

    /** Up to 20 of {@code all} that {@code some} lacks, for a failure's message. */
    static Set<String> difference(Set<String> all, Set<String> some) {
        return all.stream().filter(id -> !some.contains(id)).limit(20).collect(Collectors.toSet());
    }
}
