package pipeline.schemas.topics;

import java.util.ArrayList;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Makes the cluster hold the catalogue's topics: creates the missing ones and reports existing ones
 * whose partitions or configs differ. Idempotent; safe to run from several services at once.
 *
 * <p>Differences are reported, not fixed: fewer partitions than specified changes which partition a
 * key maps to, and a config may have been changed on purpose by an operator.
 */
public final class TopicProvisioner {

    /** How long a listed topic may take to be described by the broker asked. */
    private static final Duration NEW_TOPIC_VISIBLE = Duration.ofSeconds(10);

    private final Admin admin;
    private final short replicationFactor;

    public TopicProvisioner(Admin admin, short replicationFactor) {
        this.admin = admin;
        this.replicationFactor = replicationFactor;
    }

    public ProvisionReport provision(Collection<TopicSpec> topics) throws InterruptedException {
        try {
            Set<String> existing = admin.listTopics().names().get();
            List<TopicSpec> missing = topics.stream().filter(t -> !existing.contains(t.name())).toList();
            List<String> created = create(missing);
            List<TopicSpec> present = topics.stream().filter(t -> !created.contains(t.name())).toList();
            List<String> differences = compare(present);
            Set<String> differing = differences.stream().map(d -> d.substring(0, d.indexOf(':'))).collect(Collectors.toSet());
            List<String> unchanged = present.stream().map(TopicSpec::name).filter(n -> !differing.contains(n)).toList();
            return new ProvisionReport(created, unchanged, differences);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not provision topics: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private List<String> create(List<TopicSpec> missing) throws InterruptedException, ExecutionException {
        if (missing.isEmpty()) {
            return List.of();
        }
        List<NewTopic> requests = missing.stream()
                .map(t -> new NewTopic(t.name(), t.partitions(), replicationFactor).configs(t.configs()))
                .toList();
        CreateTopicsResult result = admin.createTopics(requests);
        List<String> created = new ArrayList<>();
        for (Map.Entry<String, KafkaFuture<Void>> entry : result.values().entrySet()) {
            try {
                entry.getValue().get();
                created.add(entry.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                // Another service created it between our list and create: it is compared like any existing topic.
            }
        }
        return created;
    }

    /** One line per difference, each starting with {@code <topic>:}. */
    private List<String> compare(List<TopicSpec> topics) throws InterruptedException, ExecutionException {
        if (topics.isEmpty()) {
            return List.of();
        }
        List<String> names = topics.stream().map(TopicSpec::name).toList();
        Map<String, TopicDescription> descriptions = new HashMap<>();
        Map<String, Config> configByTopic = new HashMap<>();
        long deadline = System.nanoTime() + NEW_TOPIC_VISIBLE.toNanos();
        while (true) {
            try {
                descriptions.putAll(admin.describeTopics(names).allTopicNames().get());
                admin.describeConfigs(names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList()).all().get()
                        .forEach((resource, config) -> configByTopic.put(resource.name(), config));
                break;
            } catch (ExecutionException e) {
                // A topic just created (here or by another service) is listed before every broker can describe it.
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }

        List<String> differences = new ArrayList<>();
        for (TopicSpec spec : topics) {
            int partitions = descriptions.get(spec.name()).partitions().size();
            if (partitions != spec.partitions()) {
                differences.add(spec.name() + ": partitions is " + partitions + ", the catalogue says " + spec.partitions());
            }
            Config actual = configByTopic.get(spec.name());
            spec.configs().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(expected -> {
                var entry = actual.get(expected.getKey());
                String value = entry == null ? null : entry.value();
                if (!expected.getValue().equals(value)) {
                    differences.add(spec.name() + ": " + expected.getKey() + " is " + value
                            + ", the catalogue says " + expected.getValue());
                }
            });
        }
        return differences;
    }
}
