package pipeline.ops;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;
import pipeline.config.ClusterSettings;
import pipeline.config.Setting;
import pipeline.config.Settings;
import pipeline.config.ValueType;
import pipeline.infra.InfraException;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.registry.SchemaRegistryException;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.ModelKey;
import pipeline.schemas.topics.ProvisionReport;
import pipeline.schemas.topics.SchemaPublisher;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.Topics;

/**
 * {@code pipeline provision}: readies a Kafka cluster and a schema registry someone else runs (a
 * cluster, docker-compose) for the services, as {@code pipeline run} does for its own: creates the
 * topics (or names how existing ones differ from the catalogue), registers the schemas, and seeds an
 * empty {@code models} topic with a model file. Running it again changes nothing.
 */
final class Provisioning {

    static final Setting<Integer> REPLICATION = Setting.of("provision.replication-factor", ValueType.integer(1, 32), 1,
            "copies of each topic's partitions (3 on a production cluster)");
    static final Setting<Path> MODEL_FILE = Setting.of("provision.model-file", ValueType.path(), Path.of("models/fashion-lenet5.model"),
            "model published as version 1 when the models topic has no version of its name");

    static final List<Setting<?>> SETTINGS = ClusterSettings.plus(REPLICATION, MODEL_FILE);

    private Provisioning() {
    }

    /**
     * Provisions what {@code settings} name, and with {@code acls} grants each service's principal what it needs
     * ({@link AccessGrants}; then {@code settings} hold {@link AccessGrants#SETTINGS}); prints what it did. Returns
     * false when existing topics differ from the catalogue.
     */
    static boolean run(Settings settings, boolean acls, PrintStream out) throws InterruptedException {
        KafkaConnection kafka = KafkaConnection.from(settings);
        RegistryClientOptions registryOptions = RegistryClientOptions.from(settings);
        ProvisionReport report;
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            report = new TopicProvisioner(admin, settings.get(REPLICATION).shortValue()).provision(Topics.all());
            if (acls) {
                AccessGrants.grant(admin, settings, out);
            }
        } catch (KafkaException | IllegalStateException e) {
            throw new InfraException("Cannot create the topics on " + kafka + ": " + e.getMessage()
                    + " (set kafka.bootstrap-servers / PIPELINE_KAFKA_BOOTSTRAP_SERVERS)", e);
        }
        out.printf("Topics on %s: %d created, %d already as the catalogue says%n", kafka.bootstrapServers(), report.created().size(),
                report.unchanged().size());
        report.differences().forEach(d -> out.println("  differs: " + d));
        try (SchemaRegistryClient registry = new SchemaRegistryClient(registryOptions)) {
            Map<String, Integer> ids = new SchemaPublisher(registry).publish(Topics.all());
            out.printf("Schemas at %s: %d subjects registered%n", registryOptions.baseUrl(), ids.size());
            ModelKey seeded = ModelSeed.seedIfNew(kafka, registry, settings.get(MODEL_FILE), MODEL_FILE);
            out.println(seeded == null ? "Models: the topic already holds versions of " + settings.get(MODEL_FILE) + "'s model; left as it is"
                    : "Models: " + seeded + " published from " + settings.get(MODEL_FILE) + ", promoted");
        } catch (SchemaRegistryException e) {
            throw new InfraException("Cannot register the schemas at " + registryOptions + ": " + e.getMessage()
                    + " (set registry.url / PIPELINE_REGISTRY_URL)", e);
        }
        return report.matchesCatalogue();
    }
}
