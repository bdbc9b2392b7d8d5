package pipeline.gateway;

import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.KafkaConnection;

/** Every record of a topic, from its start, handed to {@code sink} on the follower's thread. */
final class TopicFeed<T extends SpecificRecord> extends TopicFollower<T> {

    private final Consumer<T> sink;

    TopicFeed(KafkaConnection kafka, SchemaRegistryClient registry, String topic, Class<T> type, Consumer<T> sink) {
        super(kafka, registry, topic, type, true);
        this.sink = sink;
    }

    @Override
    protected void accept(T value) {
        sink.accept(value);
    }
}
