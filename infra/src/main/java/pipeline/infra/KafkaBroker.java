package pipeline.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * One Apache Kafka node in KRaft mode (broker and controller in one process), run from this JVM's
 * class path as a child process, with its data in a folder of its own so a restart keeps topics
 * and records. Formats the folder on first start.
 *
 * <pre>
 * dataDir/
 *   server.properties   written at every start (ports may change between starts)
 *   log4j2.properties   the broker's logging, to its stdout
 *   broker.log          the broker's stdout and stderr
 *   kafka-logs/         the log segments and KRaft metadata
 * </pre>
 */
public final class KafkaBroker implements AutoCloseable {

    private static final String NAME = "Kafka broker";

    private final ChildProcess process;
    private final int port;
    private final BrokerSecurity security;

    private KafkaBroker(ChildProcess process, int port, BrokerSecurity security) {
        this.process = process;
        this.port = port;
        this.security = security;
    }

    /**
     * A client listener that takes SASL_SSL only: TLS with {@code keystore}'s certificate, SCRAM-SHA-512 users,
     * and ACLs enforced ({@code StandardAuthorizer}, nothing allowed without one). {@code admin} is the one
     * super user, created when the data folder is formatted; the broker speaks to itself as that user.
     *
     * @param keystore           PKCS12 with the broker's key and certificate chain
     * @param truststore         PKCS12 with the CA that signed it, as clients (and the broker's own checks) trust it
     * @param storePassword      of both stores
     * @param admin              the super user's name; its password is {@code adminPassword}
     */
    public record BrokerSecurity(Path keystore, Path truststore, String storePassword, String admin, String adminPassword) {

        /** The client properties of a {@code user} with {@code password} on this listener. */
        public Map<String, String> clientProperties(String user, String password) {
            return Map.of("security.protocol", "SASL_SSL",
                    "sasl.mechanism", MECHANISM,
                    "sasl.jaas.config", jaas(user, password),
                    "ssl.truststore.location", truststore.toString(),
                    "ssl.truststore.password", storePassword,
                    "ssl.truststore.type", "PKCS12");
        }

        static String jaas(String user, String password) {
            return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                    + password + "\";";
        }
    }

    /** The SASL mechanism of a secured listener. */
    public static final String MECHANISM = "SCRAM-SHA-512";

    /**
     * A node's place in its cluster: its id, the controller quorum (every node is broker and controller), the
     * cluster's id (every node is formatted with it) and how many copies the cluster keeps of its records.
     *
     * @param voters   {@code 1@127.0.0.1:9093,2@127.0.0.1:9095,…}: the static quorum
     * @param replicas copies of each partition of the internal topics (offsets, transactions), and the topics' default;
     *                 with more than one, a write needs two in sync ({@code min.insync.replicas=2})
     */
    public record Membership(int nodeId, String voters, String clusterId, int replicas) {

        /** The one node of a cluster of its own, formatted with a new cluster id. */
        public static Membership alone(int controllerPort) {
            return new Membership(1, "1@" + Ports.LOOPBACK + ":" + controllerPort, Uuid.randomUuid().toString(), 1);
        }
    }

    /**
     * Starts the broker and returns once it answers a metadata request.
     *
     * @param port           client listener on 127.0.0.1
     * @param controllerPort KRaft controller listener on 127.0.0.1
     */
    public static KafkaBroker start(Path dataDir, int port, int controllerPort, Duration timeout) {
        return start(dataDir, port, controllerPort, null, timeout);
    }

    /** As above; with {@code security}, the client listener is SASL_SSL with ACLs (see {@link BrokerSecurity}), or PLAINTEXT when null. */
    public static KafkaBroker start(Path dataDir, int port, int controllerPort, BrokerSecurity security, Duration timeout) {
        KafkaBroker broker = launch(dataDir, port, controllerPort, security, Membership.alone(controllerPort));
        broker.awaitReady(timeout);
        return broker;
    }

    /**
     * Starts a node of a cluster (PLAINTEXT) without waiting for it: a node answers only once a quorum of its
     * cluster's controllers runs, so a cluster launches every node, then awaits each ({@link #awaitReady}).
     */
    public static KafkaBroker launch(Path dataDir, int port, int controllerPort, Membership membership) {
        return launch(dataDir, port, controllerPort, null, membership);
    }

    private static KafkaBroker launch(Path dataDir, int port, int controllerPort, BrokerSecurity security, Membership membership) {
        Path home = dataDir.toAbsolutePath();
        Path logs = home.resolve("kafka-logs");
        Path properties = home.resolve("server.properties");
        Path logging = home.resolve("log4j2.properties");
        try {
            Files.createDirectories(logs);
            Files.writeString(properties, serverProperties(logs, port, controllerPort, security, membership));
            Files.writeString(logging, LOGGING);
        } catch (IOException e) {
            throw new InfraException("Cannot write the broker's configuration under " + home + ": " + e.getMessage(), e);
        }
        Path log = home.resolve("broker.log");
        if (!Files.exists(logs.resolve("meta.properties"))) {
            format(home, properties, logging, log, security, membership.clusterId());
        }
        ChildProcess process = ChildProcess.start(NAME,
                javaCommand(logging, "-Xms256m", "-Xmx1g", "kafka.Kafka", properties.toString()), home, log);
        return new KafkaBroker(process, port, security);
    }

    /** Returns once the node answers a metadata request; stops it when it does not within {@code timeout}. */
    public void awaitReady(Duration timeout) {
        try {
            process.awaitReady(this::answers, timeout, "answer on " + bootstrapServers());
        } catch (RuntimeException e) {
            process.stop(Duration.ofSeconds(5));
            throw e;
        }
    }

    /** SIGKILL, as a crash or a lost machine would end it; the logs stay for a restart to recover. */
    public void kill() {
        process.kill();
    }

    public String bootstrapServers() {
        return Ports.LOOPBACK + ":" + port;
    }

    /** Client properties that reach this broker as its super user (none for a PLAINTEXT broker). */
    public Map<String, String> adminProperties() {
        return security == null ? Map.of() : security.clientProperties(security.admin(), security.adminPassword());
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Controlled shutdown: SIGTERM, the broker flushes and closes its logs. */
    @Override
    public void close() {
        process.stop(Duration.ofSeconds(60));
    }

    private boolean answers() {
        if (!Ports.accepts(port)) {
            return false;
        }
        Map<String, Object> config = new HashMap<>(adminProperties());
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        try (Admin admin = Admin.create(config)) {
            return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    private static void format(Path home, Path properties, Path logging, Path log, BrokerSecurity security, String clusterId) {
        List<String> command = javaCommand(logging, "-Xmx256m", "kafka.tools.StorageTool", "format",
                "-t", clusterId, "-c", properties.toString());
        if (security != null) {
            // SCRAM users live in the cluster's metadata: the super user has to be there before the broker starts.
            command.addAll(List.of("--add-scram", MECHANISM + "=[name=" + security.admin() + ",password=" + security.adminPassword() + "]"));
        }
        int exit = ChildProcess.start("Kafka storage formatter", command, home, log).waitFor(Duration.ofMinutes(2));
        if (exit != 0) {
            throw new InfraException("Formatting the Kafka data folder " + home + " failed with exit code " + exit
                    + "; see " + log);
        }
    }

    private static List<String> javaCommand(Path logging, String... args) {
        List<String> command = new ArrayList<>(List.of(ChildProcess.javaExecutable(),
                "-cp", ChildProcess.absoluteClassPath(),
                "-Dlog4j2.configurationFile=" + logging,
                "-Djava.awt.headless=true"));
        command.addAll(List.of(args));
        return command;
    }

    private static String serverProperties(Path logs, int port, int controllerPort, BrokerSecurity security, Membership membership) {
        String listener = security == null ? "PLAINTEXT" : "SASL_SSL";
        int replicas = membership.replicas();
        String inSync = Integer.toString(Math.min(2, replicas));
        return String.join("\n",
                "# Written at every start by " + KafkaBroker.class.getName() + "; edits are overwritten.",
                "process.roles=broker,controller",
                "node.id=" + membership.nodeId(),
                // Static voters are read from this file at every start, so the controller port may change.
                "controller.quorum.voters=" + membership.voters(),
                "listeners=" + listener + "://" + Ports.LOOPBACK + ":" + port + ",CONTROLLER://" + Ports.LOOPBACK + ":" + controllerPort,
                "advertised.listeners=" + listener + "://" + Ports.LOOPBACK + ":" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=" + listener,
                "listener.security.protocol.map=" + listener + ":" + listener + ",CONTROLLER:PLAINTEXT",
                security == null ? "" : securityProperties(security),
                "log.dirs=" + logs,
                "num.partitions=1",
                "auto.create.topics.enable=false",
                "default.replication.factor=" + replicas,
                "min.insync.replicas=" + inSync,
                "offsets.topic.replication.factor=" + replicas,
                "transaction.state.log.replication.factor=" + replicas,
                "transaction.state.log.min.isr=" + inSync,
                "share.coordinator.state.topic.replication.factor=" + replicas,
                "share.coordinator.state.topic.min.isr=" + inSync,
                "group.initial.rebalance.delay.ms=0",
                "");
    }

    /**
     * SASL_SSL with SCRAM on the client listener and ACLs enforced. The controller listener stays PLAINTEXT on
     * loopback (KRaft controllers cannot check SCRAM: its credentials live in the metadata they serve), and its
     * principal, ANONYMOUS, is a super user so that the node's broker and controller halves can talk.
     */
    private static String securityProperties(BrokerSecurity security) {
        return String.join("\n",
                "sasl.enabled.mechanisms=" + MECHANISM,
                "sasl.mechanism.inter.broker.protocol=" + MECHANISM,
                "listener.name.sasl_ssl." + MECHANISM.toLowerCase(Locale.ROOT) + ".sasl.jaas.config="
                        + BrokerSecurity.jaas(security.admin(), security.adminPassword()),
                "ssl.keystore.location=" + security.keystore(),
                "ssl.keystore.password=" + security.storePassword(),
                "ssl.keystore.type=PKCS12",
                "ssl.truststore.location=" + security.truststore(),
                "ssl.truststore.password=" + security.storePassword(),
                "ssl.truststore.type=PKCS12",
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "allow.everyone.if.no.acl.found=false",
                "super.users=User:" + security.admin() + ";User:ANONYMOUS");
    }

    private static final String LOGGING = """
            status = warn
            appender.out.type = Console
            appender.out.name = OUT
            appender.out.layout.type = PatternLayout
            appender.out.layout.pattern = [%d] %p %m (%c)%n
            rootLogger.level = INFO
            rootLogger.appenderRef.out.ref = OUT
            logger.state.name = state.change.logger
            logger.state.level = WARN
            """;
}
