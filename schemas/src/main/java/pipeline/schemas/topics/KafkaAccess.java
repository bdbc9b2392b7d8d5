package pipeline.schemas.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * What one service may do on a secured cluster, and nothing more: the ACLs that {@code pipeline provision
 * --acls} grants its principal, and that the service checks it has when it starts, so that a missing
 * ACL ends the start with the operation and topic it names instead of a client that retries forever.
 *
 * @param service "inference-worker", "gateway", "trainer": for messages
 * @param grants  every operation the service needs
 */
public record KafkaAccess(String service, List<Grant> grants) {

    /**
     * One allowed operation on one resource: a topic, a consumer group or transactional ids, by its name
     * ({@link PatternType#LITERAL}) or every name that starts with it ({@link PatternType#PREFIXED}).
     */
    public record Grant(ResourceType resource, String name, PatternType pattern, AclOperation operation) {

        public static Grant topic(AclOperation operation, String topic) {
            return new Grant(ResourceType.TOPIC, topic, PatternType.LITERAL, operation);
        }

        /** A consumer group's offsets (READ) or its description (DESCRIBE). */
        public static Grant group(AclOperation operation, String group) {
            return new Grant(ResourceType.GROUP, group, PatternType.LITERAL, operation);
        }

        /** {@code operation} on every resource of a {@code type} whose name starts with {@code prefix}. */
        public static Grant prefixed(ResourceType type, AclOperation operation, String prefix) {
            return new Grant(type, prefix, PatternType.PREFIXED, operation);
        }

        /** The ACL that allows it to {@code principal} ({@code User:pipeline-worker}) from any host. */
        public AclBinding bindingFor(String principal) {
            return new AclBinding(new ResourcePattern(resource, name, pattern),
                    new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
        }

        /** {@code READ on topic images}, {@code WRITE on transactional ids starting "inference-workers."}. */
        @Override
        public String toString() {
            String kind = switch (resource) {
                case TOPIC -> "topic";
                case GROUP -> "group";
                case TRANSACTIONAL_ID -> "transactional id";
                default -> resource.name().toLowerCase(Locale.ROOT);
            };
            return operation + " on " + (pattern == PatternType.PREFIXED ? kind + "s starting \"" + name + "\"" : kind + " " + name);
        }
    }

    public KafkaAccess {
        grants = List.copyOf(grants);
    }

    /** The ACLs that give {@code principal} this access. */
    public List<AclBinding> bindingsFor(String principal) {
        return grants.stream().map(grant -> grant.bindingFor(principal)).toList();
    }

    /** As below, through an admin client of its own on {@code kafka}. */
    public void check(KafkaConnection kafka, Duration timeout) throws InterruptedException {
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            check(admin, timeout);
        }
    }

    /**
     * Checks, as the cluster sees this client, that it may do what its literal topic grants name; a cluster
     * without an authorizer allows everything and passes.
     *
     * @throws KafkaAccessException naming each operation and topic it may not, and how to grant them
     */
    public void check(Admin admin, Duration timeout) throws InterruptedException {
        Map<String, List<AclOperation>> needed = new LinkedHashMap<>();
        for (Grant grant : grants) {
            if (grant.resource() == ResourceType.TOPIC && grant.pattern() == PatternType.LITERAL) {
                needed.computeIfAbsent(grant.name(), topic -> new ArrayList<>()).add(grant.operation());
            }
        }
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(needed.keySet(),
                new DescribeTopicsOptions().includeAuthorizedOperations(true)).topicNameValues();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, List<AclOperation>> topic : needed.entrySet()) {
            Set<AclOperation> allowed = allowed(topic.getKey(), described.get(topic.getKey()), timeout);
            for (AclOperation operation : topic.getValue()) {
                if (allowed != null && !allowed.contains(operation)) {
                    missing.add(Grant.topic(operation, topic.getKey()).toString());
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new KafkaAccessException("Kafka does not allow the " + service + "'s principal " + String.join(", ", missing)
                    + "; " + KafkaAccessException.GRANT);
        }
    }

    /**
     * The operations the cluster allows on a topic; none when it will not describe it; {@code null} when any (no
     * authorizer) or when the topic does not exist yet (another service creates it, as a worker does its model's
     * images topic, and its ACL is checked when it is used).
     */
    private Set<AclOperation> allowed(String topic, KafkaFuture<TopicDescription> description, Duration timeout)
            throws InterruptedException {
        try {
            Set<AclOperation> operations = description.get(timeout.toMillis(), TimeUnit.MILLISECONDS).authorizedOperations();
            return operations == null || operations.isEmpty() ? null : operations;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicAuthorizationException) {
                return Set.of();
            }
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw new KafkaAccessException("cannot describe topic " + topic + " to check the " + service + "'s ACLs: "
                    + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new KafkaAccessException("the cluster did not describe topic " + topic + " within " + timeout.toMillis()
                    + " ms, so the " + service + "'s ACLs could not be checked");
        }
    }
}
