package pipeline.gateway;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.avro.specific.SpecificRecord;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroSerializer;
import pipeline.schemas.serde.SerdeOptions;

/**
 * Sends records to Kafka for the event loop without blocking it: the send (which may wait for
 * metadata or the registry) runs on a worker thread, and the answer comes back on the caller's
 * context once the broker has acknowledged the record ({@code acks=all}, idempotent) — or fails
 * after the request timeout, so a caller never waits on a broker that is gone.
 */
final class ImagePublisher implements AutoCloseable {

    private final Vertx vertx;
    private final KafkaProducer<String, SpecificRecord> producer;
    private final Duration timeout;

    ImagePublisher(Vertx vertx, String bootstrapServers, SchemaRegistryClient registry, Duration timeout) {
        this.vertx = vertx;
        this.timeout = timeout;
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "gateway-" + ProcessHandle.current().pid());
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new AvroSerializer<>(registry, SerdeOptions.DEFAULTS, false));
    }

    /** Completes on the calling context when the broker has the record; fails when it cannot be had in time. */
    Future<Void> publish(String topic, String key, SpecificRecord value) {
        Context context = vertx.getOrCreateContext();
        Promise<Void> acked = Promise.promise();
        long timer = vertx.setTimer(timeout.toMillis(), t -> acked.tryFail(new ApiError(503, "KAFKA_UNAVAILABLE",
                "Kafka did not acknowledge the record within " + timeout.toMillis() + " ms; nothing was accepted, send it again")));
        vertx.executeBlocking(() -> producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> context.runOnContext(v -> {
            vertx.cancelTimer(timer);
            if (error == null) {
                acked.tryComplete();
            } else {
                acked.tryFail(new ApiError(503, "KAFKA_UNAVAILABLE", "Kafka refused the record (" + error.getMessage()
                        + "); nothing was accepted, send it again"));
            }
        })), false).onFailure(error -> context.runOnContext(v -> {
            vertx.cancelTimer(timer);
            acked.tryFail(new ApiError(503, "KAFKA_UNAVAILABLE", "the record could not be sent (" + error.getMessage()
                    + "); nothing was accepted, send it again"));
        }));
        return acked.future();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
