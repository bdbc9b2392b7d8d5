package pipeline.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import pipeline.infra.KafkaBroker;
import pipeline.infra.Ports;

/**
 * A Kafka broker as a secured production cluster is: a SASL_SSL listener only (SCRAM-SHA-512 users,
 * TLS with a certificate of the {@link TestCertificates} CA) and ACLs enforced, nothing allowed
 * without one. A process of its own, started on first use by {@link RealInfrastructure}; its super
 * user is {@link #ADMIN}. Tests create their own users with {@link #createUser}.
 */
public final class SecuredKafka implements AutoCloseable {

    public static final String ADMIN = "admin";

    private final KafkaBroker broker;
    private final KafkaBroker.BrokerSecurity security;

    private SecuredKafka(KafkaBroker broker, KafkaBroker.BrokerSecurity security) {
        this.broker = broker;
        this.security = security;
    }

    static SecuredKafka start() throws Exception {
        TestCertificates ca = TestCertificates.shared();
        KafkaBroker.BrokerSecurity security = new KafkaBroker.BrokerSecurity(ca.serverKeystore(), ca.truststore(), ca.password(),
                ADMIN, "admin-" + TestKafka.uniqueName("secret"));
        Path dataDir = Files.createTempDirectory("secured-kafka-");
        return new SecuredKafka(KafkaBroker.start(dataDir, Ports.anyFree(), Ports.anyFree(), security, Duration.ofSeconds(90)), security);
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** The client properties (security protocol, mechanism, JAAS line, truststore) of {@code user} with {@code password}. */
    public Map<String, String> clientProperties(String user, String password) {
        return security.clientProperties(user, password);
    }

    /** The client properties of the super user. */
    public Map<String, String> adminProperties() {
        return broker.adminProperties();
    }

    /** An admin client of the super user. */
    public Admin admin() {
        Map<String, Object> config = new HashMap<>(broker.adminProperties());
        config.put("bootstrap.servers", bootstrapServers());
        return Admin.create(config);
    }

    /** Creates (or gives a new password to) a SCRAM-SHA-512 user. */
    public void createUser(String user, String password) throws Exception {
        try (Admin admin = admin()) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        broker.close();
    }
}
