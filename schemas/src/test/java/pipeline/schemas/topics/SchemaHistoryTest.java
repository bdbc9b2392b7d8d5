package pipeline.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every released version of every value schema is kept under {@code schema-history/<Record>/v<N>.avsc};
 * the current schema must read data written with each of them (BACKWARD), and the newest snapshot
 * must be the current schema, so a change cannot ship without a new snapshot and this check.
 */
class SchemaHistoryTest {

    static Stream<TopicSpec> catalogue() {
        return Topics.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogue")
    void currentSchemaReadsEveryReleasedVersion(TopicSpec topic) throws IOException {
        Schema current = topic.valueSchema();
        List<Schema> history = history(current.getName());

        assertThat(history).as("snapshots under schema-history/%s/", current.getName()).isNotEmpty();
        for (int v = 0; v < history.size(); v++) {
            var result = SchemaCompatibility.checkReaderWriterCompatibility(current, history.get(v));
            assertThat(result.getType())
                    .as("%s v%d read by the current schema: %s", current.getName(), v + 1, result.getResult().getIncompatibilities())
                    .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        }
        assertThat(history.getLast())
                .as("%s changed: once it reads every older version, save it as schema-history/%s/v%d.avsc",
                        current.getName(), current.getName(), history.size() + 1)
                .isEqualTo(current);
    }

    private static List<Schema> history(String record) throws IOException {
        List<Schema> versions = new ArrayList<>();
        for (int v = 1; ; v++) {
            try (InputStream in = SchemaHistoryTest.class.getResourceAsStream("/schema-history/" + record + "/v" + v + ".avsc")) {
                if (in == null) {
                    return versions;
                }
                versions.add(new Schema.Parser().parse(in));
            }
        }
    }
}
