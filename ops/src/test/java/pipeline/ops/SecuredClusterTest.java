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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
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
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.SecuredKafka;
import pipeline.testkit.TestRegistry;
import pipeline.trainer.TrainerMain;
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
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void imagesArePredictedAndFeedbackReachesTheTrainerWithTheProvisionedAclsAlone(SecuredKafka kafka, TestRegistry registry,
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
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
            try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()))) {
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
        }
    }

    @ParameterizedTest(name = "without {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "WRITE on topic predictions | Kafka does not allow the inference-worker's principal WRITE on topic predictions",
            "READ on group partial-workers | Kafka refused the inference-worker's principal: Not authorized to access group: partial-workers"})
    void aWorkerMissingOneAclStopsAtStartSayingWhatItLacks(String missing, String message, SecuredKafka kafka, TestRegistry registry,
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        String user = "worker-without-" + missing.replaceAll("[^a-z]+", "-");
        kafka.createUser(user, password(user));
        Map<String, String> env = TestServices.with(env(kafka, registry, user, password(user)), Map.of("PIPELINE_WORKER_INSTANCE_ID", "partial-worker",
                "PIPELINE_WORKER_MODEL_FILE", MODEL.toString(), "PIPELINE_WORKER_GROUP_ID", "partial-workers"));
        List<AclBinding> allButOne = WorkerSettings.from(Settings.load(WorkerSettings.ALL, null, env)).access().grants().stream()
                .filter(grant -> !grant.toString().equals(missing))
                .map(grant -> grant.bindingFor("User:" + user)).toList();
        try (Admin admin = kafka.admin()) {
            admin.createAcls(allButOne).all().get(30, TimeUnit.SECONDS);
        }
        Map<String, String> provisionEnv = env(kafka, registry, SecuredKafka.ADMIN, null);
        provisionEnv.put("PIPELINE_PROVISION_MODEL_FILE", MODEL.toString());
        assertThat(PipelineCommand.run(new String[] {"provision"}, provisionEnv, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()))).isZero();

        try (TestServices services = new TestServices(dir)) {
            ChildProcess worker = services.start(user, WorkerMain.class, env).process();
            int exit = worker.waitFor(TestServices.START);

            assertThat(exit).as("the worker's exit code (log %s)", worker.log()).isEqualTo(1);
            assertThat(Files.readString(worker.log())).contains(message).contains("provision --acls").doesNotContain(password(user));
        }
    }

    /** A service's settings for a {@code user} of the secured cluster, as environment variables; the super user's password is the kit's. */
    private static Map<String, String> env(SecuredKafka kafka, TestRegistry registry, String user, String password) {
        Map<String, String> env = new HashMap<>(Map.of("PIPELINE_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "PIPELINE_REGISTRY_URL", registry.url()));
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
