package pipeline.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import pipeline.config.ClusterSettings;
import pipeline.config.Settings;
import pipeline.config.SettingsException;

class KafkaConnectionTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"pipeline-worker\""
            + " password=\"s3cr3t-w0rker\";";

    @Test
    void everyKafkaSettingReachesEveryClientConfig() {
        KafkaConnection kafka = KafkaConnection.from(Settings.load(ClusterSettings.ALL, null, Map.of(
                "PIPELINE_KAFKA_BOOTSTRAP_SERVERS", "broker-1:9093,broker-2:9093",
                "PIPELINE_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "PIPELINE_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "PIPELINE_KAFKA_SASL_JAAS_CONFIG", JAAS,
                "PIPELINE_KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/pipeline/ca.p12")));

        Map<String, Object> reader = KafkaClients.committedReader(kafka, "worker-1");
        assertThat(reader).containsEntry("bootstrap.servers", "broker-1:9093,broker-2:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("ssl.truststore.location", "/etc/pipeline/ca.p12")
                .containsEntry("isolation.level", "read_committed");
        assertThat(KafkaClients.transactionalProducer(kafka, "worker-1-0")).containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("transactional.id", "worker-1-0");
    }

    @Test
    void secretsShowAsHiddenAndTheRestAsThemselves() {
        KafkaConnection kafka = new KafkaConnection("127.0.0.1:9093", Map.of("security.protocol", "SASL_SSL",
                "sasl.jaas.config", JAAS, "ssl.truststore.password", "trust-me", "ssl.truststore.location", "/ca.p12"));

        assertThat(kafka.toString()).isEqualTo("127.0.0.1:9093 (sasl.jaas.config=[hidden], security.protocol=SASL_SSL,"
                + " ssl.truststore.location=/ca.p12, ssl.truststore.password=[hidden])");
        assertThat(kafka.toString()).doesNotContain("s3cr3t", "trust-me");
        assertThat(KafkaConnection.plaintext("127.0.0.1:9092")).hasToString("127.0.0.1:9092");
    }

    @Test
    void aPropertyNoKafkaClientHasIsATypoNamedWithItsSetting() {
        Settings settings = Settings.load(ClusterSettings.ALL, null, Map.of("PIPELINE_KAFKA_SASL_MECHANISMS", "PLAIN",
                "PIPELINE_KAFKA_SASL_JAAS_CONFIG", JAAS));

        assertThatThrownBy(() -> KafkaConnection.from(settings)).isInstanceOf(SettingsException.class)
                .hasMessageContaining("unknown setting kafka.sasl.mechanisms")
                .hasMessageContaining("kafka.sasl.mechanism")
                .hasMessageNotContaining("s3cr3t");
    }

    @Test
    void whatAServiceSetsForItsGuaranteesCannotBeOverridden() {
        assertThatThrownBy(() -> new KafkaConnection("b:9092", Map.of("isolation.level", "read_uncommitted", "bootstrap.servers", "x:1")))
                .hasMessageContaining("kafka.isolation.level cannot be set")
                .hasMessageContaining("kafka.bootstrap.servers is not a client property here; set kafka.bootstrap-servers");
        assertThatThrownBy(() -> KafkaConnection.plaintext(" ")).hasMessageContaining("bootstrap servers are empty");
    }
}
