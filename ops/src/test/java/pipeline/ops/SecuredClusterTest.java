package pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclOperation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import pipeline.config.Settings;
import pipeline.gateway.GatewayMain;
import pipeline.infra.ChildProcess;
import pipeline.ops.load.LoadImages;
import pipeline.schemas.avro.LabelledImage;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.KafkaAccess;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.RegistryFront;
import pipeline.testkit.SecuredKafka;
import pipeline.testkit.TestCertificates;
import pipeline.testkit.TestRegistry;
import pipeline.trainer.TrainerMain;
import pipeline.trainer.TrainerSettings;
import pipeline.worker.WorkerMain;
import pipeline.worker.WorkerSettings;

/**
 * The services on a secured cluster, as teams run them: a broker that takes SASL_SSL only (SCRAM users,
 * a certificate of a private CA) and enforces ACLs, each service a process of its own under its own
 * principal, allowed exactly what {@code pipeline provision --acls} grants it.
 */
@ExtendWith(RealInfrastructure.class)
class SecuredClusterTest {

    private static final Path MODEL = Path.of("../models/fashion-lenet5.model").toAbsolutePath();
    private static final String REGISTRY_USER_INFO = "pipeline-services:r3g1stry-pass-51c";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** The registry too is secured: behind an HTTPS front (a certificate of the same private CA) that demands basic auth. */
    @Test
    void imagesArePredictedAndFeedbackReachesTheTrainerWithTheProvisionedAclsAlone(SecuredKafka kafka, TestRegistry plainRegistry,
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        TestCertificates ca = TestCertificates.shared();
        try (RegistryFront front = RegistryFront.secured(plainRegistry.url(), ca, "Basic " + Base64.getEncoder().encodeToString(
                REGISTRY_USER_INFO.getBytes(StandardCharsets.UTF_8)))) {
            Map<String, String> registry = Map.of("PIPELINE_REGISTRY_URL", front.url(), "PIPELINE_REGISTRY_BASIC_AUTH_USER_INFO", REGISTRY_USER_INFO,
                    "PIPELINE_REGISTRY_TRUSTSTORE", ca.truststore().toString(), "PIPELINE_REGISTRY_TRUSTSTORE_PASSWORD", ca.password());
            List<TestServices.Service> services = runTheFlow(kafka, registry, plainRegistry, dir);

            assertThat(front.requests()).as("the services' requests to the registry").isNotEmpty();
            for (TestServices.Service service : services) {
                assertThat(Files.readString(service.process().log())).as("%s", service.process().log())
                        .doesNotContain(REGISTRY_USER_INFO.substring(REGISTRY_USER_INFO.indexOf(':') + 1));
            }
        }
    }

    /** Provisions, starts the three services and checks the flow; returns them, stopped. */
    private List<TestServices.Service> runTheFlow(SecuredKafka kafka, Map<String, String> registry, TestRegistry plainRegistry, Path dir)
            throws Exception {
        Map<String, String> admin = env(kafka, registry, SecuredKafka.ADMIN, null);
        admin.put("PIPELINE_PROVISION_MODEL_FILE", MODEL.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int provisioned = PipelineCommand.run(new String[] {"provision", "--acls"}, admin, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(provisioned).as("provision --acls: %s %s", out, err).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("ACLs: User:pipeline-worker (inference-worker) may READ on topic images",
                "ACLs: User:pipeline-gateway (gateway)", "ACLs: User:pipeline-trainer (trainer)");
        for (String user : List.of("pipeline-worker", "pipeline-gateway", "pipeline-trainer")) {
            kafka.createUser(user, password(user));
        }
        ApiKey key = ApiKey.generate();
        try (TestServices services = new TestServices(dir)) {
            TestServices.Service worker = services.start("worker", WorkerMain.class, TestServices.with(env(kafka, registry,
                    "pipeline-worker", password("pipeline-worker")), Map.of("PIPELINE_WORKER_INSTANCE_ID", "secured-worker",
                    "PIPELINE_WORKER_MODEL_FILE", MODEL.toString())));
            TestServices.Service gateway = services.start("gateway", GatewayMain.class, TestServices.with(env(kafka, registry,
                    "pipeline-gateway", password("pipeline-gateway")), Map.of("PIPELINE_GATEWAY_API_KEYS", key.gatewaySetting())));
            TestServices.Service trainer = services.start("trainer", TrainerMain.class, TestServices.with(env(kafka, registry,
                    "pipeline-trainer", password("pipeline-trainer")), Map.of("PIPELINE_TRAINER_MODEL_NAME", "fashion-lenet5",
                    "PIPELINE_TRAINER_COLD_START", MODEL.toString(), "PIPELINE_TRAINER_STATE_DIR", dir.resolve("trainer-state").toString())));
            gateway.awaitReady();

            LoadImages.Image image = LoadImages.fromIdx(EndToEndTest.SAMPLE, 1).getFirst();
            HttpResponse<String> predicted = http.send(HttpRequest.newBuilder(gateway.http().resolve("/v1/images?id=secured-0&wait=30s")).header("Authorization", "Bearer " + key.value())
                    .header("Content-Type", image.contentType()).POST(HttpRequest.BodyPublishers.ofByteArray(image.bytes())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(predicted.statusCode()).as("the image, predicted: %s", predicted.body()).isEqualTo(200);
            assertThat(new JsonObject(predicted.body()).getString("id")).isEqualTo("secured-0");
            HttpResponse<String> feedback = http.send(HttpRequest.newBuilder(gateway.http().resolve("/v1/images/secured-0/feedback")).header("Authorization", "Bearer " + key.value())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("label", image.label()).encode())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(feedback.statusCode()).as("feedback: %s", feedback.body()).isEqualTo(202);

            KafkaConnection asAdmin = connection(kafka, SecuredKafka.ADMIN, null);
            try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(plainRegistry.url()))) {
                assertThat(CommittedRecords.read(asAdmin, client, Topics.PREDICTIONS.name(), Prediction.class))
                        .extracting(p -> p.getImageId().toString()).containsExactly("secured-0");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                List<String> labelled;
                do {
                    labelled = CommittedRecords.read(asAdmin, client, Topics.LABELS.name(), LabelledImage.class).stream()
                            .map(l -> l.getImageId() + "=" + l.getLabel()).toList();
                } while (labelled.isEmpty() && System.nanoTime() < deadline && sleep());
                assertThat(labelled).as("the trainer joined the feedback with its image into labels").containsExactly("secured-0=" + image.label());
            }
            for (TestServices.Service service : List.of(worker, gateway, trainer)) {
                assertThat(service.process().isAlive()).as("%s still running", service.process().log()).isTrue();
            }
            return List.of(worker, gateway, trainer);
        }
    }

    @ParameterizedTest(name = "without {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "WRITE on topic predictions | Kafka does not allow the inference-worker's principal WRITE on topic predictions",
            "READ on group partial-workers | Kafka refused the inference-worker's principal: Not authorized to access group: partial-workers"})
    void aWorkerMissingOneAclStopsAtStartSayingWhatItLacks(String missing, String message, SecuredKafka kafka, TestRegistry plainRegistry,
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        String user = "worker-without-" + missing.replaceAll("[^a-z]+", "-");
        Map<String, String> registry = Map.of("PIPELINE_REGISTRY_URL", plainRegistry.url());
        Map<String, String> env = TestServices.with(env(kafka, registry, user, password(user)), Map.of("PIPELINE_WORKER_INSTANCE_ID", "partial-worker",
                "PIPELINE_WORKER_MODEL_FILE", MODEL.toString(), "PIPELINE_WORKER_GROUP_ID", "partial-workers"));
        KafkaAccess access = WorkerSettings.from(Settings.load(WorkerSettings.ALL, null, env)).access();

        ChildProcess worker = startWithout(missing, List.of(), access, user, WorkerMain.class, env, kafka, registry, dir);

        assertThat(Files.readString(worker.log())).contains(message).contains("provision --acls").doesNotContain(password(user));
    }

    /**
     * The trainer's groups (the active trainer's, the training loop's and the Streams application's) share one
     * prefixed grant; the third row grants the first two by name, so that only the Streams application is refused.
     */
    @ParameterizedTest(name = "without {0}, with {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "READ on groups starting \"partial-trainer\" | | Not authorized to access group: partial-trainer-active-fashion-lenet5",
            "WRITE on transactional ids starting \"partial-trainer\" | | Kafka refused the trainer's principal: Transactional Id authorization failed",
            "READ on groups starting \"partial-trainer\" | partial-trainer-active-fashion-lenet5 partial-trainer-training-fashion-lenet5"
                    + " | the feedback topology stopped: Kafka refused the trainer's principal: Not authorized to access group: partial-trainer"})
    void aTrainerMissingOneAclStopsSayingWhatItLacks(String missing, String groups, String message, SecuredKafka kafka,
            TestRegistry plainRegistry,
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        String user = "trainer-without-" + Integer.toHexString((missing + groups).hashCode());
        Map<String, String> registry = Map.of("PIPELINE_REGISTRY_URL", plainRegistry.url());
        Map<String, String> env = TestServices.with(env(kafka, registry, user, password(user)), Map.of("PIPELINE_TRAINER_APPLICATION_ID", "partial-trainer",
                "PIPELINE_TRAINER_MODEL_NAME", "fashion-lenet5", "PIPELINE_TRAINER_COLD_START", MODEL.toString(),
                "PIPELINE_TRAINER_STATE_DIR", dir.resolve("trainer-state").toString()));
        KafkaAccess access = TrainerSettings.from(Settings.load(TrainerSettings.ALL, null, env)).access();
        List<KafkaAccess.Grant> named = groups == null ? List.of()
                : Arrays.stream(groups.split(" ")).map(group -> KafkaAccess.Grant.group(AclOperation.READ, group)).toList();

        ChildProcess trainer = startWithout(missing, named, access, user, TrainerMain.class, env, kafka, registry, dir);

        assertThat(Files.readString(trainer.log())).contains(message).contains("provision --acls").doesNotContain(password(user));
    }

    /**
     * Starts {@code service} as {@code user}, granted all of {@code access} but the grant that reads {@code missing} (and
     * {@code extra}), on provisioned topics; returns it once it has exited, with exit code 1.
     */
    private static ChildProcess startWithout(String missing, List<KafkaAccess.Grant> extra, KafkaAccess access, String user, Class<?> service,
            Map<String, String> env, SecuredKafka kafka, Map<String, String> registry, Path dir) throws Exception {
        kafka.createUser(user, password(user));
        List<KafkaAccess.Grant> grants = new ArrayList<>(access.grants().stream().filter(grant -> !grant.toString().equals(missing)).toList());
        assertThat(grants).as("the grants without %s", missing).hasSize(access.grants().size() - 1);
        grants.addAll(extra);
        try (Admin admin = kafka.admin()) {
            admin.createAcls(grants.stream().map(grant -> grant.bindingFor("User:" + user)).toList()).all().get(30, TimeUnit.SECONDS);
        }
        Map<String, String> provisionEnv = env(kafka, registry, SecuredKafka.ADMIN, null);
        provisionEnv.put("PIPELINE_PROVISION_MODEL_FILE", MODEL.toString());
        assertThat(PipelineCommand.run(new String[] {"provision"}, provisionEnv, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()))).isZero();

        try (TestServices services = new TestServices(dir)) {
            ChildProcess process = services.start(user, service, env).process();
            int exit = process.waitFor(TestServices.START);

            assertThat(exit).as("the exit code (log %s)", process.log()).isEqualTo(1);
            return process;
        }
    }

    /**
     * A service's settings for a {@code user} of the secured cluster and the {@code registry} settings, as environment
     * variables; the super user's password is the kit's.
     */
    private static Map<String, String> env(SecuredKafka kafka, Map<String, String> registry, String user, String password) {
        Map<String, String> env = new HashMap<>(registry);
        env.put("PIPELINE_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        connection(kafka, user, password).properties().forEach((property, value) ->
                env.put("PIPELINE_KAFKA_" + property.toUpperCase(Locale.ROOT).replace('.', '_'), value));
        return env;
    }

    private static KafkaConnection connection(SecuredKafka kafka, String user, String password) {
        return new KafkaConnection(kafka.bootstrapServers(),
                user.equals(SecuredKafka.ADMIN) ? kafka.adminProperties() : kafka.clientProperties(user, password));
    }

    private static String password(String user) {
        return user + "-pass-7f3a";
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(500);
        return true;
    }
}
