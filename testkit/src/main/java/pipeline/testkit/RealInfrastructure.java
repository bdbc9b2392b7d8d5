package pipeline.testkit;

import java.util.Locale;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives tests a real Kafka cluster ({@link TestKafka}), a real schema registry ({@link TestRegistry})
 * and a secured broker ({@link SecuredKafka}), each started on first use and closed by JUnit when the
 * test run of this JVM ends.
 *
 * <p>The broker is Kafka's in-JVM test kit, or Testcontainers' Kafka where a Docker engine exists;
 * {@code -Dpipeline.test.kafka=embedded|container|auto} (default auto) forces one.
 */
public final class RealInfrastructure implements ParameterResolver {

    public static final String KAFKA_PROPERTY = "pipeline.test.kafka";

    private static final Logger LOG = LoggerFactory.getLogger(RealInfrastructure.class);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RealInfrastructure.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == TestKafka.class || type == TestRegistry.class || type == SecuredKafka.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
        Class<?> type = parameter.getParameter().getType();
        if (type == SecuredKafka.class) {
            return store.getOrComputeIfAbsent(SecuredKafka.class, key -> startSecuredKafka(), SecuredKafka.class);
        }
        return type == TestKafka.class
                ? store.getOrComputeIfAbsent(TestKafka.class, key -> startKafka(), TestKafka.class)
                : store.getOrComputeIfAbsent(TestRegistry.class, key -> startRegistry(), TestRegistry.class);
    }

    private static SecuredKafka startSecuredKafka() {
        long start = System.nanoTime();
        try {
            SecuredKafka kafka = SecuredKafka.start();
            LOG.info("Secured Kafka (SASL_SSL, SCRAM, ACLs) for tests at {} in {} ms", kafka.bootstrapServers(),
                    (System.nanoTime() - start) / 1_000_000);
            return kafka;
        } catch (Exception e) {
            throw new ParameterResolutionException("Could not start the secured Kafka broker for the tests: " + e.getMessage(), e);
        }
    }

    private static TestKafka startKafka() {
        String choice = System.getProperty(KAFKA_PROPERTY, "auto").toLowerCase(Locale.ROOT);
        long start = System.nanoTime();
        try {
            TestKafka kafka = switch (choice) {
                case "embedded" -> EmbeddedKafka.start();
                case "container" -> ContainerKafka.start();
                case "auto" -> ContainerKafka.dockerAvailable() ? ContainerKafka.start() : EmbeddedKafka.start();
                default -> throw new ParameterResolutionException(KAFKA_PROPERTY + " is '" + choice
                        + "'; expected embedded, container or auto");
            };
            LOG.info("Kafka for tests ({}) at {} in {} ms", kafka.kind(), kafka.bootstrapServers(),
                    (System.nanoTime() - start) / 1_000_000);
            return kafka;
        } catch (ParameterResolutionException e) {
            throw e;
        } catch (Exception e) {
            throw new ParameterResolutionException("Could not start Kafka for the tests (" + choice + "): " + e, e);
        }
    }

    private static TestRegistry startRegistry() {
        long start = System.nanoTime();
        try {
            SharedRegistry registry = SharedRegistry.start();
            LOG.info("Schema registry for tests at {} in {} ms", registry.url(), (System.nanoTime() - start) / 1_000_000);
            return registry;
        } catch (Exception e) {
            throw new ParameterResolutionException("Could not start the schema registry for the tests: " + e.getMessage(), e);
        }
    }
}
