package pipeline.ops;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import pipeline.infra.ApicurioRegistry;
import pipeline.infra.InfraException;
import pipeline.infra.KafkaBroker;
import pipeline.infra.Ports;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.ProvisionReport;
import pipeline.schemas.topics.SchemaPublisher;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.TopicSpec;
import pipeline.schemas.topics.Topics;

/**
 * The system's infrastructure on one machine: a KRaft broker and Apicurio Registry as child
 * processes on 127.0.0.1, with the catalogue's topics created and its schemas registered.
 * {@link #close()} stops both; nothing is left running.
 */
public final class LocalStack implements AutoCloseable {

    private final KafkaBroker broker;
    private final ApicurioRegistry registry;
    private final ProvisionReport topics;
    private final Map<String, Integer> schemaIds;

    private LocalStack(KafkaBroker broker, ApicurioRegistry registry, ProvisionReport topics, Map<String, Integer> schemaIds) {
        this.broker = broker;
        this.registry = registry;
        this.topics = topics;
        this.schemaIds = schemaIds;
    }

    /**
     * Checks the ports, starts broker and registry side by side, provisions topics and registers schemas.
     *
     * @throws InfraException with one line saying what failed and where (port, log file)
     */
    public static LocalStack start(StackOptions options) throws InterruptedException {
        ApicurioRegistry.requireInstalled(options.registryHome());
        int kafkaPort = claim(options.kafkaPort(), "the Kafka broker", StackOptions.KAFKA_PORT.envName());
        int controllerPort = claim(options.controllerPort(), "the Kafka controller", StackOptions.CONTROLLER_PORT.envName());
        int registryPort = claim(options.registryPort(), "the schema registry", StackOptions.REGISTRY_PORT.envName());
        int managementPort = claim(options.registryManagementPort(), "the schema registry's health endpoint",
                StackOptions.REGISTRY_MANAGEMENT_PORT.envName());

        CompletableFuture<ApicurioRegistry> registryStart = CompletableFuture.supplyAsync(() -> ApicurioRegistry.start(
                options.registryHome(), options.dataDir().resolve("registry"), true, registryPort, managementPort,
                options.startTimeout()));
        KafkaBroker broker;
        try {
            broker = KafkaBroker.start(options.dataDir().resolve("kafka"), kafkaPort, controllerPort, options.startTimeout());
        } catch (RuntimeException e) {
            closeQuietly(registryStart);
            throw e;
        }
        ApicurioRegistry registry;
        try {
            registry = registryStart.join();
        } catch (CompletionException e) {
            broker.close();
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        try {
            ProvisionReport report;
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                report = new TopicProvisioner(admin, (short) 1).provision(Topics.all());
            }
            Map<String, Integer> ids;
            try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.confluentUrl()))) {
                ids = new SchemaPublisher(client).publish(Topics.all());
            }
            return new LocalStack(broker, registry, report, ids);
        } catch (RuntimeException | InterruptedException e) {
            registry.close();
            broker.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public String registryUrl() {
        return registry.confluentUrl();
    }

    public ProvisionReport topics() {
        return topics;
    }

    /** The process ids of broker and registry. */
    public List<Long> pids() {
        return List.of(broker.pid(), registry.pid());
    }

    /** The endpoints and what was provisioned, for a person at a terminal. */
    public void describe(PrintStream out) {
        out.println("Pipeline local stack is up.");
        out.printf("  Kafka bootstrap servers   %s%n", bootstrapServers());
        out.printf("  Schema registry           %s  (Confluent REST API)%n", registryUrl());
        List<String> topicLines = new ArrayList<>();
        for (TopicSpec topic : Topics.all()) {
            topicLines.add(topic.name() + " (" + topic.partitions() + ")");
        }
        out.printf("  Topics                    %s%n", String.join(", ", topicLines));
        out.printf("                            created %d, already there %d%n",
                topics.created().size(), topics.unchanged().size() + topics.differences().size());
        schemaIds.forEach((subject, id) -> out.printf("  Schema                    %-24s id %d%n", subject, id));
        for (String difference : topics.differences()) {
            out.println("  WARNING: topic differs from the catalogue: " + difference);
        }
    }

    /** Stops the registry, then the broker (each waits for a clean exit, then kills). */
    @Override
    public void close() {
        try {
            registry.close();
        } finally {
            broker.close();
        }
    }

    /** {@code port}, checked free, or any free port for 0; a taken port fails naming who wanted it and the setting. */
    static int claim(int port, String who, String envName) {
        if (port == 0) {
            return Ports.anyFree();
        }
        Ports.requireFree(port, who, "set " + envName + " to a free port");
        return port;
    }

    private static void closeQuietly(CompletableFuture<ApicurioRegistry> start) {
        try {
            start.join().close();
        } catch (CompletionException ignored) {
            // It failed to start too; the broker's error is the one to report.
        }
    }
}
