package pipeline.schemas.topics;

import java.util.Map;
import org.apache.avro.Schema;

/**
 * One topic of the system.
 *
 * @param name        the topic name
 * @param partitions  how many; for {@code images} the unit of worker parallelism
 * @param keyFormat   what the (UTF-8 string) key holds, in words
 * @param valueSchema the Avro schema of the values
 * @param configs     topic configs that differ from the broker's defaults
 */
public record TopicSpec(String name, int partitions, String keyFormat, Schema valueSchema, Map<String, String> configs) {

    public TopicSpec {
        configs = Map.copyOf(configs);
    }

    /** The subject its values are registered under (topic name strategy). */
    public String valueSubject() {
        return name + "-value";
    }
}
