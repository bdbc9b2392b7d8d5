package pipeline.gateway;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroSerializer;
import pipeline.schemas.serde.SerdeOptions;
import pipeline.schemas.topics.KafkaConnection;

/**
 * Sends records to Kafka for the event loop without blocking it. The record is written in Avro (its
 * schema looked up in the registry) and handed to the producer on a worker thread; the answer comes
 * back on the caller's context once the broker has acknowledged it ({@code acks=all}, idempotent).
 * The producer gives up on a record after {@code timeout} (its delivery timeout), so a caller never
 * waits longer on a broker that is gone, and a record refused with {@code 503} is not delivered
 * later. While {@link KafkaHealth} knows Kafka to be unreachable, records are refused at once.
 */
final class ImagePublisher implements AutoCloseable {

    private static final int LINGER_MS = 2;

    private final Vertx vertx;
    private final KafkaProducer<String, byte[]> producer;
    private final AvroSerializer<SpecificRecord> serializer;
    private final KafkaHealth health;
    private final Duration timeout;

    ImagePublisher(Vertx vertx, KafkaConnection kafka, SchemaRegistryClient registry, Duration timeout) {
        this.vertx = vertx;
        this.timeout = timeout;
        this.serializer = new AvroSerializer<>(registry, SerdeOptions.DEFAULTS, false);
        this.health = new KafkaHealth(vertx, kafka, Duration.ofMillis(Math.max(100, timeout.toMillis() / 2)));
        int millis = (int) timeout.toMillis();
        Map<String, Object> config = kafka.clientConfig();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, millis);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, millis);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1, millis - LINGER_MS));
        config.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, Math.max(50, millis / 2));
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "gateway-" + ProcessHandle.current().pid());
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    /** {@code null} while Kafka takes records; otherwise why the gateway thinks it does not. */
    String unavailable() {
        return health.unavailable();
    }

    /** Completes on the calling context when the broker has the record; fails with a 503 when it cannot be had in time. */
    Future<Void> publish(String topic, String key, SpecificRecord value) {
        String down = health.unavailable();
        if (down != null) {
            return Future.failedFuture(new ApiError(503, "KAFKA_UNAVAILABLE", "Kafka is unreachable (" + down
                    + "); nothing was accepted, send it again after Retry-After"));
        }
        Context context = vertx.getOrCreateContext();
        Promise<Void> acked = Promise.promise();
        long sent = System.nanoTime();
        vertx.executeBlocking(() -> {
            byte[] bytes = serializer.serialize(topic, value);
            return producer.send(new ProducerRecord<>(topic, key, bytes), (metadata, error) -> context.runOnContext(v -> {
                if (error == null) {
                    acked.tryComplete();
                } else {
                    acked.tryFail(refused(error, sent));
                }
            }));
        }, false).onFailure(error -> context.runOnContext(v -> acked.tryFail(refused(error, sent))));
        return acked.future();
    }

    /**
     * The 503 for a record Kafka did not take, whether {@code send} threw (no metadata in time, the
     * registry) or the broker did not acknowledge; a retriable error also tells {@link KafkaHealth}.
     */
    private ApiError refused(Throwable error, long sentNanos) {
        if (error instanceof RetriableException) {
            health.failed(error.getClass().getSimpleName() + ": " + error.getMessage(), sentNanos);
        }
        return new ApiError(503, "KAFKA_UNAVAILABLE", "Kafka did not take the record within " + timeout.toMillis()
                + " ms (" + error.getMessage() + "); nothing was accepted, send it again");
    }

    @Override
    public void close() {
        health.close();
        producer.close(Duration.ofSeconds(5));
        serializer.close();
    }
}
