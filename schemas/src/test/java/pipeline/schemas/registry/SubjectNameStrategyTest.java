package pipeline.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import pipeline.schemas.avro.ImageEvent;

class SubjectNameStrategyTest {

    @Test
    void subjectsAreNamedAsConfluentNamesThem() {
        var schema = ImageEvent.getClassSchema();

        assertThat(SubjectNameStrategy.TOPIC.subject("images", schema, false)).isEqualTo("images-value");
        assertThat(SubjectNameStrategy.TOPIC.subject("images", schema, true)).isEqualTo("images-key");
        assertThat(SubjectNameStrategy.RECORD.subject("images", schema, false)).isEqualTo("pipeline.schemas.avro.ImageEvent");
        assertThat(SubjectNameStrategy.TOPIC_RECORD.subject("images", schema, false))
                .isEqualTo("images-pipeline.schemas.avro.ImageEvent");
    }

    @Test
    void parsesOurNamesAndConfluentClassNames() {
        assertThat(SubjectNameStrategy.parse("topic-record")).isEqualTo(SubjectNameStrategy.TOPIC_RECORD);
        assertThat(SubjectNameStrategy.parse("io.confluent.kafka.serializers.subject.RecordNameStrategy"))
                .isEqualTo(SubjectNameStrategy.RECORD);
        assertThatThrownBy(() -> SubjectNameStrategy.parse("by-topic"))
                .hasMessageContaining("expected topic, record or topic-record");
    }
}
