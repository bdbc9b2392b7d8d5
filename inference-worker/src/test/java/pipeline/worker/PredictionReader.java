package pipeline.worker;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroDeserializer;
import pipeline.testkit.TestKafka;

/** Reads {@code predictions} as a downstream consumer would (read_committed) and counts one run's predictions per image id. */
final class PredictionReader implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final AvroDeserializer<Prediction> predictions;
    private final String run;
    private final Map<String, Integer> counts = new HashMap<>();

    PredictionReader(TestKafka kafka, SchemaRegistryClient client, String run) {
        this.consumer = new KafkaConsumer<>(kafka.consumerConfig(), new StringDeserializer(), new ByteArrayDeserializer());
        this.predictions = AvroDeserializer.forClass(Prediction.class, client);
        this.run = run;
        consumer.subscribe(Set.of("predictions"));
    }

    /** Predictions per image id of this run so far. */
    Map<String, Integer> counts() {
        return counts;
    }

    /** Reads until {@code distinct} images have a prediction, or two minutes pass. */
    void until(int distinct) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (counts.size() < distinct && System.nanoTime() < deadline) {
            poll();
        }
    }

    /** Reads for {@code duration}, so a late duplicate would still be seen. */
    void during(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < deadline) {
            poll();
        }
    }

    private void poll() {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> {
            Prediction p = predictions.deserialize(r.topic(), r.value());
            if (p.getImageId().startsWith(run + "-")) {
                counts.merge(p.getImageId(), 1, Integer::sum);
            }
        });
    }

    @Override
    public void close() {
        consumer.close();
    }
}
