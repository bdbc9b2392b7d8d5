package pipeline.ops;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.KafkaException;
import pipeline.config.ClusterSettings;
import pipeline.config.Setting;
import pipeline.config.Settings;
import pipeline.convnet.cli.Options;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.model.ModelInfo;
import pipeline.infra.InfraException;
import pipeline.modelstore.ModelRecords;
import pipeline.modelstore.ModelRefusedException;
import pipeline.modelstore.ModelTopicReader;
import pipeline.modelstore.ModelVerifier;
import pipeline.modelstore.ServedModel;
import pipeline.onnx.OnnxModels;
import pipeline.onnx.UnsupportedModelException;
import pipeline.schemas.avro.ModelStatus;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.intake.Intake;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.ModelKey;
import pipeline.schemas.topics.Topics;

/**
 * {@code pipeline models list [--name NAME]}: every version on {@code models} of a running stack or
 * cluster, with its lineage, status and whether workers serve it; {@code pipeline models publish FILE}:
 * an engine model file, or an ONNX classifier imported on the way, as the next version of its name —
 * promoted (workers verify it and swap to it) or, with {@code --candidate}, for an admin to promote.
 * A version the workers would refuse (another input or other classes than the version serving) is
 * refused here, before it reaches the topic.
 */
final class ModelsCommand {

    static final List<Setting<?>> SETTINGS = ClusterSettings.ALL;

    private static final String USAGE = """
            Usage: pipeline models list [--name NAME]
                   pipeline models publish FILE [--name NAME] [--candidate]
                                          [--classes FILE] [--normalise imagenet|none|MEAN,STD] [--resize stretch|centre-crop[:F]]

              list     versions on the models topic: name, version, parent, status, served, samples seen, metrics
              publish  FILE as the next version of NAME (default: the name in the model file, or the ONNX file's name),
                       promoted unless --candidate. An ONNX classifier is imported first; --classes (one name per line),
                       --normalise and --resize say how it was trained when its metadata does not.
            Settings: kafka.bootstrap-servers, registry.url (PIPELINE_KAFKA_BOOTSTRAP_SERVERS, PIPELINE_REGISTRY_URL);
            the defaults reach ./pipeline run's stack.""";

    private ModelsCommand() {
    }

    static int run(List<String> args, Settings settings, PrintStream out, PrintStream err) {
        List<String> rest = new ArrayList<>(args);
        if (rest.contains("--help") || rest.contains("-h")) {
            out.println(USAGE);
            return 0;
        }
        if (rest.isEmpty() || !Set.of("list", "publish").contains(rest.getFirst())) {
            err.println(rest.isEmpty() ? USAGE : "pipeline models: unknown subcommand '" + rest.getFirst()
                    + "'; expected list or publish\n" + USAGE);
            return 2;
        }
        String subcommand = rest.removeFirst();
        KafkaConnection kafka = KafkaConnection.from(settings);
        RegistryClientOptions registryOptions = RegistryClientOptions.from(settings);
        try (SchemaRegistryClient registry = new SchemaRegistryClient(registryOptions)) {
            if (subcommand.equals("list")) {
                list(new Options("models list", rest, Set.of("name")).text("name", null), kafka, registry, out);
                return 0;
            }
            boolean candidate = rest.remove("--candidate");
            if (rest.isEmpty() || rest.getFirst().startsWith("--")) {
                err.println("pipeline models publish: which file? expected an engine model file or an ONNX file first\n" + USAGE);
                return 2;
            }
            Path file = Path.of(rest.removeFirst());
            Options options = new Options("models publish", rest, Set.of("name", "classes", "normalise", "resize"));
            return publish(file, options, candidate ? ModelStatus.CANDIDATE : ModelStatus.PROMOTED, kafka,
                    registry, out, err);
        } catch (IllegalArgumentException e) {
            err.println("pipeline models " + subcommand + ": " + e.getMessage());
            return 2;
        } catch (KafkaException | InfraException e) {
            err.println("pipeline models " + subcommand + ": cannot reach Kafka at " + kafka + " or the registry at "
                    + registryOptions + ": " + e.getMessage() + " (is the stack running? set kafka.bootstrap-servers /"
                    + " PIPELINE_KAFKA_BOOTSTRAP_SERVERS and registry.url / PIPELINE_REGISTRY_URL)");
            return 1;
        }
    }

    /** What {@code models} holds: every version in order, and per name the version workers serve. */
    private record History(List<ModelVersion> versions, Map<String, ServedModel> served, long notVersions) {

        static History read(KafkaConnection kafka, SchemaRegistryClient registry) {
            List<ModelVersion> versions = new ArrayList<>();
            Map<String, ServedModel> served = new HashMap<>();
            long[] notVersions = {0};
            try (ModelTopicReader reader = new ModelTopicReader(kafka, registry)) {
                reader.catchUp((record, read) -> {
                    if (!(read instanceof Intake.Accepted<ModelVersion>(ModelVersion version))) {
                        notVersions[0]++;
                        return;
                    }
                    versions.add(version);
                    ServedModel rule = served.computeIfAbsent(version.getName().toString(), ServedModel::named);
                    try {
                        rule.consider(version);
                    } catch (ModelRefusedException e) {
                        // The workers refuse it as well: it is listed, not served.
                    }
                });
            }
            return new History(versions, served, notVersions[0]);
        }

        int highest(String name) {
            return versions.stream().filter(v -> v.getName().toString().equals(name)).mapToInt(ModelVersion::getVersion).max().orElse(0);
        }

        boolean serves(ModelVersion version) {
            ServedModel rule = served.get(version.getName().toString());
            return rule != null && rule.record() != null && rule.record().getVersion() == version.getVersion();
        }
    }

    private static void list(String name, KafkaConnection kafka, SchemaRegistryClient registry, PrintStream out) {
        History history = History.read(kafka, registry);
        Map<ModelKey, ModelVersion> latest = new HashMap<>();
        for (ModelVersion v : history.versions()) {
            // A compacted topic may still hold older records of a key (a promotion republishes one): the last one counts.
            latest.put(new ModelKey(v.getName().toString(), v.getVersion()), v);
        }
        List<ModelVersion> shown = latest.values().stream().filter(v -> name == null || v.getName().toString().equals(name))
                .sorted(Comparator.comparing((ModelVersion v) -> v.getName().toString()).thenComparingInt(ModelVersion::getVersion))
                .toList();
        if (shown.isEmpty()) {
            out.println(name == null ? "No versions on " + Topics.MODELS.name() : "No versions of " + name + " on " + Topics.MODELS.name());
            return;
        }
        out.printf("%-24s %7s %6s %-11s %-6s %-15s %-18s %9s  %s%n", "NAME", "VERSION", "PARENT", "STATUS", "SERVED", "INPUT",
                "RESIZE", "SAMPLES", "METRICS");
        for (ModelVersion v : shown) {
            StringBuilder metrics = new StringBuilder();
            v.getMetrics().entrySet().stream().sorted(Map.Entry.comparingByKey(Comparator.comparing(CharSequence::toString)))
                    .forEach(m -> metrics.append(metrics.isEmpty() ? "" : " ").append(m.getKey()).append('=')
                            .append(String.format("%.4f", m.getValue())));
            out.printf("%-24s %7d %6s %-11s %-6s %-15s %-18s %9d  %s%n", v.getName(), v.getVersion(),
                    v.getParentVersion() == null ? "-" : "v" + v.getParentVersion(), v.getStatus(), history.serves(v) ? "yes" : "",
                    v.getInput().getChannels() + "×" + v.getInput().getHeight() + "×" + v.getInput().getWidth(),
                    v.getInput().getResize(), v.getSamplesSeen(), metrics);
        }
        if (history.notVersions() > 0) {
            out.printf("(%d records on %s are not model versions and were skipped)%n", history.notVersions(), Topics.MODELS.name());
        }
    }

    private static int publish(Path file, Options options, ModelStatus status, KafkaConnection kafka, SchemaRegistryClient registry,
                               PrintStream out, PrintStream err) {
        ModelFile model;
        try {
            model = read(file, options);
        } catch (NoSuchFileException e) {
            err.println("pipeline models publish: no file " + file.toAbsolutePath());
            return 2;
        } catch (IOException | UnsupportedModelException e) {
            err.println("pipeline models publish: " + file + " is neither an engine model file nor an ONNX classifier the engine"
                    + " runs: " + e.getMessage());
            return 2;
        }
        String name = options.text("name", model.info().name());
        History history = History.read(kafka, registry);
        int version = history.highest(name) + 1;
        ModelFile next = model.withInfo(new ModelInfo(name, version, null, Instant.now(), model.info().metrics()));
        byte[] weights = next.toBytes();
        ModelVersion record = ModelRecords.of(next, weights, name, version, status);
        ServedModel serving = history.served().get(name);
        try {
            new ModelVerifier().verify(record, serving == null ? null : serving.snapshot());
        } catch (ModelRefusedException e) {
            err.println("pipeline models publish: the workers would refuse it: " + e.getMessage() + ". A model with another input"
                    + " or other classes is a model of its own: publish it with --name NEW-NAME and serve it with its own workers"
                    + " (worker.model-name)");
            return 1;
        }
        try {
            ModelSeed.publish(record, kafka, registry);
        } catch (ExecutionException e) {
            throw new KafkaException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while publishing", e);
        }
        out.printf("Published %s v%d (%s) from %s: input %d×%d×%d, resize %s, %d classes, %,d bytes%n", name, version, status, file,
                record.getInput().getChannels(), record.getInput().getHeight(), record.getInput().getWidth(),
                record.getInput().getResize(), record.getClassNames().size(), weights.length);
        out.println(status == ModelStatus.PROMOTED ? "Workers serving " + name + " verify it and swap to it; `pipeline models list`"
                + " shows when it serves" : "Promote it with POST /v1/models/" + name + ":" + version + "/promote (an admin key)");
        return 0;
    }

    /** The file as an engine model: read as one, or imported when it is ONNX. */
    private static ModelFile read(Path file, Options options) throws IOException {
        String classes = options.text("classes", null);
        String normalise = options.text("normalise", null);
        String resize = options.text("resize", null);
        if (ModelFile.startsAsModelFile(Files.readAllBytes(file))) {
            if (classes != null || normalise != null || resize != null) {
                throw new IllegalArgumentException("--classes, --normalise and --resize are for ONNX files; " + file
                        + " is an engine model file, which carries its own");
            }
            return ModelFile.read(file);
        }
        return OnnxModels.importAsCommanded(file, classes, normalise, resize);
    }
}
