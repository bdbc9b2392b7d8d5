package pipeline.gateway;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.Topics;

/**
 * The recent predictions, fed by a consumer of {@code predictions} (read_committed, from the end
 * when the gateway starts, no consumer group: every gateway instance sees every prediction). At most
 * {@code capacity} are kept, the oldest dropped first. Callers may wait for an id not seen yet; the
 * wait is answered on the caller's context when the prediction arrives, or with nothing on timeout.
 * Listeners (live streams) hear of every prediction as it arrives.
 */
final class PredictionCache extends TopicFollower<Prediction> {

    private record Waiter(Context context, Promise<Optional<Prediction>> promise) {
    }

    private final Vertx vertx;
    private final int capacity;
    private final Map<String, Prediction> recent;
    private final Map<String, List<Waiter>> waiters = new HashMap<>();
    private final List<Consumer<Prediction>> listeners = new CopyOnWriteArrayList<>();

    PredictionCache(Vertx vertx, KafkaConnection kafka, SchemaRegistryClient registry, int capacity) {
        super(kafka, registry, Topics.PREDICTIONS.name(), Prediction.class, false);
        this.vertx = vertx;
        this.capacity = capacity;
        this.recent = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Prediction> eldest) {
                return size() > PredictionCache.this.capacity;
            }
        };
    }

    /** The prediction for {@code id} if it is still held. */
    synchronized Optional<Prediction> get(String id) {
        return Optional.ofNullable(recent.get(id));
    }

    /** The prediction for {@code id} as soon as it is here, or empty after {@code timeout}. */
    Future<Optional<Prediction>> await(String id, Duration timeout) {
        Context context = vertx.getOrCreateContext();
        Promise<Optional<Prediction>> promise = Promise.promise();
        Waiter waiter = new Waiter(context, promise);
        synchronized (this) {
            Prediction known = recent.get(id);
            if (known != null) {
                return Future.succeededFuture(Optional.of(known));
            }
            waiters.computeIfAbsent(id, k -> new ArrayList<>()).add(waiter);
        }
        vertx.setTimer(Math.max(1, timeout.toMillis()), t -> {
            synchronized (this) {
                List<Waiter> list = waiters.get(id);
                if (list != null && list.remove(waiter) && list.isEmpty()) {
                    waiters.remove(id);
                }
            }
            promise.tryComplete(Optional.empty());
        });
        return promise.future();
    }

    /** Calls {@code listener} (on the reader thread: hand off, do not block) for every prediction from now on. */
    void listen(Consumer<Prediction> listener) {
        listeners.add(listener);
    }

    void unlisten(Consumer<Prediction> listener) {
        listeners.remove(listener);
    }

    @Override
    protected void accept(Prediction prediction) {
        listeners.forEach(l -> l.accept(prediction));
        List<Waiter> waiting;
        synchronized (this) {
            recent.put(prediction.getImageId(), prediction);
            waiting = waiters.remove(prediction.getImageId());
        }
        if (waiting != null) {
            waiting.forEach(w -> w.context().runOnContext(v -> w.promise().tryComplete(Optional.of(prediction))));
        }
    }
}
