package pipeline.schemas.registry;

import java.util.Locale;
import org.apache.avro.Schema;

/**
 * How a record's subject is named, as in Confluent's serializers: per topic (one record type per
 * topic), per record type (shared across topics), or per topic and record type.
 */
public enum SubjectNameStrategy {
    /** {@code <topic>-key} / {@code <topic>-value}. */
    TOPIC("io.confluent.kafka.serializers.subject.TopicNameStrategy"),
    /** The record's full name, e.g. {@code pipeline.schemas.avro.ImageEvent}. */
    RECORD("io.confluent.kafka.serializers.subject.RecordNameStrategy"),
    /** {@code <topic>-<full record name>}. */
    TOPIC_RECORD("io.confluent.kafka.serializers.subject.TopicRecordNameStrategy");

    private final String confluentClass;

    SubjectNameStrategy(String confluentClass) {
        this.confluentClass = confluentClass;
    }

    public String subject(String topic, Schema schema, boolean isKey) {
        return switch (this) {
            case TOPIC -> topic + (isKey ? "-key" : "-value");
            case RECORD -> schema.getFullName();
            case TOPIC_RECORD -> topic + "-" + schema.getFullName();
        };
    }

    /** Accepts our names ({@code topic}, {@code record}, {@code topic-record}) and Confluent's class names. */
    public static SubjectNameStrategy parse(String text) {
        for (SubjectNameStrategy strategy : values()) {
            String ours = strategy.name().toLowerCase(Locale.ROOT).replace('_', '-');
            if (ours.equalsIgnoreCase(text.trim()) || strategy.confluentClass.equals(text.trim())) {
                return strategy;
            }
        }
        throw new IllegalArgumentException("unknown subject name strategy '" + text
                + "'; expected topic, record or topic-record (or Confluent's class names for them)");
    }
}
