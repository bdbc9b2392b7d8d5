package pipeline.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;

@ExtendWith(RealInfrastructure.class)
class TopicProvisionerTest {

    @Test
    void secondRunCreatesNothingAndAChangedConfigIsReported(TestKafka kafka) throws Exception {
        List<TopicSpec> catalogue = renamed(Topics.all(), TestKafka.uniqueName("p"));
        TopicSpec models = catalogue.get(Topics.all().indexOf(Topics.MODELS));
        try (Admin admin = kafka.admin()) {
            TopicProvisioner provisioner = new TopicProvisioner(admin, (short) 1);

            ProvisionReport first = provisioner.provision(catalogue);
            ProvisionReport second = provisioner.provision(catalogue);
            alter(admin, models.name(), TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
            ProvisionReport third = provisioner.provision(catalogue);

            assertThat(first.created()).hasSize(catalogue.size());
            assertThat(second.created()).isEmpty();
            assertThat(second.unchanged()).hasSize(catalogue.size());
            assertThat(second.matchesCatalogue()).isTrue();
            assertThat(third.created()).isEmpty();
            assertThat(third.differences()).containsExactly(
                    models.name() + ": cleanup.policy is delete, the catalogue says compact");
            assertThat(third.unchanged()).hasSize(catalogue.size() - 1).doesNotContain(models.name());
        }
    }

    @Test
    void createdTopicsCarryTheCatalogueConfigs(TestKafka kafka) throws Exception {
        TopicSpec models = renamed(List.of(Topics.MODELS), TestKafka.uniqueName("c")).getFirst();
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(List.of(models));

            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, models.name());
            var config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
            assertThat(config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value())
                    .isEqualTo(Integer.toString(Topics.MAX_MODEL_RECORD_BYTES));
        }
    }

    @Test
    void aTopicWithTooFewPartitionsIsReportedNotChanged(TestKafka kafka) throws Exception {
        TopicSpec images = renamed(List.of(Topics.IMAGES), TestKafka.uniqueName("n")).getFirst();
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(images.name(), 2, (short) 1).configs(images.configs()))).all().get();

            ProvisionReport report = new TopicProvisioner(admin, (short) 1).provision(List.of(images));

            assertThat(report.differences()).containsExactly(images.name() + ": partitions is 2, the catalogue says 6");
            assertThat(admin.describeTopics(List.of(images.name())).allTopicNames().get()
                    .get(images.name()).partitions()).hasSize(2);
        }
    }

    private static List<TopicSpec> renamed(Collection<TopicSpec> specs, String prefix) {
        return specs.stream()
                .map(t -> new TopicSpec(prefix + "." + t.name(), t.partitions(), t.keyFormat(), t.valueSchema(), t.configs()))
                .toList();
    }

    private static void alter(Admin admin, String topic, String key, String value) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        admin.incrementalAlterConfigs(Map.of(resource,
                List.of(new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET)))).all().get();
        // The broker applies the change once its metadata catches up; wait until it shows.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!value.equals(admin.describeConfigs(List.of(resource)).all().get().get(resource).get(key).value())) {
            assertThat(System.nanoTime()).as("%s of %s becomes %s", key, topic, value).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
