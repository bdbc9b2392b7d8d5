package pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.model.ModelInfo;
import pipeline.schemas.avro.ModelStatus;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.TopicSpec;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

/** {@code pipeline provision} against a cluster and registry it did not start, as docker-compose's provision service runs it. */
@ExtendWith(RealInfrastructure.class)
class ProvisioningTest {

    @TempDir
    Path dir;

    @Test
    void createsTopicsSchemasAndTheFirstModelOnceAndChangesNothingTheSecondTime(TestKafka kafka, TestRegistry registry)
            throws Exception {
        withoutModels(kafka);
        Map<String, String> env = Map.of("PIPELINE_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "PIPELINE_REGISTRY_URL", registry.url(),
                "PIPELINE_PROVISION_MODEL_FILE", Path.of("../models/fashion-lenet5.model").toAbsolutePath().toString());

        ModelFile bundled = ModelFile.read(Path.of("../models/fashion-lenet5.model"));
        Path other = dir.resolve("other.model");
        bundled.withInfo(new ModelInfo("other-model", 1, null, Instant.now(), Map.of())).write(other);
        Map<String, String> otherEnv = new HashMap<>(env);
        otherEnv.put("PIPELINE_PROVISION_MODEL_FILE", other.toString());

        String first = provision(env);
        String second = provision(env);
        String anotherModel = provision(otherEnv);

        assertThat(first).contains("Models: fashion-lenet5:1 published");
        assertThat(second).contains("0 created, " + Topics.all().size() + " already as the catalogue says")
                .contains("Models: the topic already holds versions of");
        assertThat(anotherModel).as("a model file of another name seeds that model beside the first").contains("Models: other-model:1 published");
        try (Admin admin = kafka.admin()) {
            assertThat(admin.listTopics().names().get()).containsAll(Topics.all().stream().map(TopicSpec::name).toList());
        }
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()))) {
            assertThat(client.subjects()).contains(Topics.IMAGES.valueSubject(), Topics.PREDICTIONS.valueSubject());
            List<ModelVersion> models = CommittedRecords.read(kafka.bootstrapServers(), client, Topics.MODELS.name(), ModelVersion.class);
            assertThat(models).extracting(m -> m.getName() + ":" + m.getVersion() + " " + m.getStatus())
                    .containsExactly("fashion-lenet5:1 PROMOTED", "other-model:1 PROMOTED");
        }
    }

    @Test
    void anInvalidReplicationFactorIsNamedWithItsSetting(TestKafka kafka, TestRegistry registry) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = PipelineCommand.run(new String[] {"provision"}, Map.of("PIPELINE_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "PIPELINE_REGISTRY_URL", registry.url(), "PIPELINE_PROVISION_REPLICATION_FACTOR", "0"),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("provision.replication-factor")
                .contains("PIPELINE_PROVISION_REPLICATION_FACTOR");
    }

    /** The shared broker without a {@code models} topic, as on a cluster nobody has provisioned (other tests publish models). */
    private static void withoutModels(TestKafka kafka) throws Exception {
        try (Admin admin = kafka.admin()) {
            if (admin.listTopics().names().get().contains(Topics.MODELS.name())) {
                admin.deleteTopics(List.of(Topics.MODELS.name())).all().get();
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (admin.listTopics().names().get().contains(Topics.MODELS.name()) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        }
    }

    private static String provision(Map<String, String> env) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = PipelineCommand.run(new String[] {"provision"}, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).as("exit; stderr: %s", err).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }
}
