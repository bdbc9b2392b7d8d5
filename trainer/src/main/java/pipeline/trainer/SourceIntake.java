package pipeline.trainer;

import java.util.function.BiConsumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import pipeline.schemas.avro.DeadLetter;
import pipeline.schemas.intake.Intake;
import pipeline.schemas.intake.RecordIntake;
import pipeline.schemas.intake.Refusal;
import pipeline.schemas.topics.DeadLetters;

/**
 * The feedback topology's first step on a source topic: the raw value through {@link RecordIntake},
 * so a record no one can use is data, never a failed stream thread. An accepted value goes on; a
 * refused one goes on as its dead letter when this topology answers for the topic, and is dropped
 * (counted) when another service dead-letters it.
 */
final class SourceIntake<T extends SpecificRecord> implements FixedKeyProcessor<String, byte[], SourceIntake.Taken<T>> {

    /** One record of the source: its value, or the dead letter to send instead (neither: skipped). */
    record Taken<T>(T value, DeadLetter deadLetter) {
    }

    private final RecordIntake<T> intake;
    private final boolean deadLetters;
    private final BiConsumer<String, Refusal> refused;
    private FixedKeyProcessorContext<String, Taken<T>> context;

    SourceIntake(RecordIntake<T> intake, boolean deadLetters, BiConsumer<String, Refusal> refused) {
        this.intake = intake;
        this.deadLetters = deadLetters;
        this.refused = refused;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Taken<T>> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, byte[]> record) {
        RecordMetadata source = context.recordMetadata().orElseThrow(
                () -> new IllegalStateException("SourceIntake must read a source topic, where records have a topic and offset"));
        switch (intake.read(source.topic(), source.partition(), source.offset(), record.key(), record.value())) {
            case Intake.Accepted<T>(T value) -> context.forward(record.withValue(new Taken<>(value, null)));
            case Intake.Refused<T>(Refusal refusal) -> {
                refused.accept(source.topic(), refusal);
                if (deadLetters) {
                    context.forward(record.withValue(new Taken<>(null, DeadLetters.letter(source.topic(), source.partition(),
                            source.offset(), record.key(), record.value(), refusal.code(), refusal.message(), FeedbackTopology.SERVICE))));
                }
            }
        }
    }
}
