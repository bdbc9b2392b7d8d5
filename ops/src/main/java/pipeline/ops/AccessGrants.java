package pipeline.ops;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import pipeline.config.Setting;
import pipeline.config.Settings;
import pipeline.config.ValueType;
import pipeline.gateway.GatewaySettings;
import pipeline.infra.InfraException;
import pipeline.schemas.topics.KafkaAccess;
import pipeline.trainer.TrainerSettings;
import pipeline.worker.WorkerSettings;

/**
 * {@code pipeline provision --acls}: grants each service's principal exactly what the service needs
 * ({@link KafkaAccess}, as each service's settings name its topics, groups and transactional ids)
 * on a cluster with an authorizer. Creating an ACL that exists changes nothing, so it runs again safely.
 */
final class AccessGrants {

    static final Setting<String> WORKER_PRINCIPAL = Setting.of("provision.worker-principal", ValueType.text(), "User:pipeline-worker",
            "the inference workers' Kafka principal, granted what they need by --acls");
    static final Setting<String> GATEWAY_PRINCIPAL = Setting.of("provision.gateway-principal", ValueType.text(), "User:pipeline-gateway",
            "the gateway's Kafka principal, granted what it needs by --acls");
    static final Setting<String> TRAINER_PRINCIPAL = Setting.of("provision.trainer-principal", ValueType.text(), "User:pipeline-trainer",
            "the trainer's Kafka principal, granted what it needs by --acls");

    /** Provisioning's settings, the principals and every service's (whose names the grants follow), each once. */
    static final List<Setting<?>> SETTINGS = union(Provisioning.SETTINGS, List.of(WORKER_PRINCIPAL, GATEWAY_PRINCIPAL, TRAINER_PRINCIPAL),
            WorkerSettings.ALL, GatewaySettings.ALL, TrainerSettings.ALL);

    private AccessGrants() {
    }

    /** Each principal with the access of its service, as {@code settings} name the services' topics, groups and ids. */
    static Map<String, KafkaAccess> byPrincipal(Settings settings) {
        Map<String, KafkaAccess> grants = new LinkedHashMap<>();
        grants.put(settings.get(WORKER_PRINCIPAL), WorkerSettings.from(settings).access());
        grants.put(settings.get(GATEWAY_PRINCIPAL), GatewaySettings.from(settings).access());
        grants.put(settings.get(TRAINER_PRINCIPAL), TrainerSettings.from(settings).access());
        return grants;
    }

    /** Creates every ACL of {@link #byPrincipal}; prints how many each principal has. */
    static void grant(Admin admin, Settings settings, PrintStream out) throws InterruptedException {
        for (Map.Entry<String, KafkaAccess> entry : byPrincipal(settings).entrySet()) {
            List<AclBinding> bindings = entry.getValue().bindingsFor(entry.getKey());
            try {
                admin.createAcls(bindings).all().get(60, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new InfraException("Cannot create the ACLs of " + entry.getKey() + " (" + entry.getValue().service() + "): "
                        + (e.getCause() == null ? e : e.getCause().getMessage()) + " (run provision as a principal that may alter"
                        + " the cluster's ACLs, on a cluster with an authorizer)", e);
            }
            out.printf("ACLs: %s (%s) may %s%n", entry.getKey(), entry.getValue().service(),
                    String.join(", ", entry.getValue().grants().stream().map(KafkaAccess.Grant::toString).toList()));
        }
    }

    @SafeVarargs
    private static List<Setting<?>> union(List<Setting<?>>... lists) {
        Map<String, Setting<?>> byKey = new LinkedHashMap<>();
        for (List<Setting<?>> list : lists) {
            list.forEach(setting -> byKey.putIfAbsent(setting.key(), setting));
        }
        return List.copyOf(new ArrayList<>(byKey.values()));
    }
}
