package pipeline.gateway;

import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import pipeline.schemas.registry.SchemaRegistryClient;

/** Every record of a topic, from its start, handed to {@code sink} on the follower's thread. */
final class TopicFeed<T extends SpecificRecord> extends TopicFollower<T> {

    private final Consumer<T> sink;

    TopicFeed(String bootstrapServers, SchemaRegistryClient registry, String topic, Class<T> type, Consumer<T> sink) {
        super(bootstrapServers, registry, topic, type, true);
        this.sink = sink;
    }

    @Override
    protected void accept(T value) {
        sink.accept(value);
    }
}
