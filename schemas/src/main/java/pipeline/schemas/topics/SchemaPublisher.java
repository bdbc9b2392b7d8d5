package pipeline.schemas.topics;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import pipeline.schemas.registry.Compatibility;
import pipeline.schemas.registry.SchemaRegistryClient;

/**
 * Registers the value schema of every catalogue topic under {@code <topic>-value} with BACKWARD
 * compatibility, so an incompatible change is refused by the registry before any record is written.
 */
public final class SchemaPublisher {

    private final SchemaRegistryClient registry;

    public SchemaPublisher(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    /** Returns subject → schema id, in catalogue order. */
    public Map<String, Integer> publish(Collection<TopicSpec> topics) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (TopicSpec topic : topics) {
            registry.setCompatibility(topic.valueSubject(), Compatibility.BACKWARD);
            ids.put(topic.valueSubject(), registry.register(topic.valueSubject(), topic.valueSchema()));
        }
        return ids;
    }
}
