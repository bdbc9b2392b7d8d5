package pipeline.ops;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import pipeline.config.Setting;
import pipeline.config.Settings;
import pipeline.config.SettingsException;
import pipeline.infra.ChildProcess;
import pipeline.infra.InfraException;
import pipeline.ops.bench.WorkerBenchmark;
import pipeline.ops.load.LoadGenerator;
import pipeline.ops.load.LoadImages;
import pipeline.ops.load.LoadOptions;
import pipeline.ops.load.LoadReport;
import pipeline.ops.soak.Soak;

/**
 * The {@code pipeline} command ({@code ./pipeline run} in the project root): starts the local stack
 * and its services, prints the endpoints and the API key, and on Ctrl-C (or SIGTERM) stops
 * everything it started.
 *
 * <pre>
 * pipeline run [--config FILE] [--feed | --demo | --demo-rgb]   start the stack and its services (and a live feed); settings: stack.* / PIPELINE_STACK_*
 * pipeline provision [--acls]                       topics, schemas and the first model on a cluster run elsewhere
 * pipeline models list|publish …                    see {@link ModelsCommand}
 * pipeline load …                                   see {@link LoadOptions}
 * pipeline bench-worker [IMAGES [REPEATS]]   see {@link WorkerBenchmark}
 * </pre>
 */
public final class PipelineCommand {

    private PipelineCommand() {
    }

    public static void main(String[] args) {
        int exit = run(args, System.getenv(), System.out, System.err);
        if (exit != 0) {
            System.exit(exit);
        }
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        List<String> rest = new ArrayList<>(List.of(args));
        boolean ownHelp = !rest.isEmpty() && List.of("models", "soak").contains(rest.getFirst());
        if (rest.isEmpty() || !ownHelp && (rest.contains("--help") || rest.contains("-h"))) {
            usage(out);
            return rest.isEmpty() ? 2 : 0;
        }
        String command = rest.removeFirst();
        if (command.equals("bench-worker")) {
            return benchWorker(rest, out, err);
        }
        if (command.equals("load")) {
            return load(rest, env, out, err);
        }
        if (command.equals("soak")) {
            return soak(rest, env, out, err);
        }
        if (command.equals("provision")) {
            return provision(rest, env, out, err);
        }
        if (command.equals("models")) {
            return models(rest, env, out, err);
        }
        boolean demo = rest.remove("--demo");
        boolean demoRgb = rest.remove("--demo-rgb");
        boolean feed = rest.remove("--feed") || demo || demoRgb;
        Path configFile = null;
        if (rest.size() == 2 && rest.get(0).equals("--config")) {
            configFile = Path.of(rest.get(1));
        } else if (!rest.isEmpty()) {
            err.println("pipeline: unexpected arguments " + rest + "; expected [--config FILE] [--feed | --demo | --demo-rgb]");
            return 2;
        }
        if (demo && demoRgb) {
            err.println("pipeline: --demo and --demo-rgb are two demos; run one of them");
            return 2;
        }
        if (configFile == null && env.get(Settings.CONFIG_FILE_ENV) != null && !env.get(Settings.CONFIG_FILE_ENV).isBlank()) {
            configFile = Path.of(env.get(Settings.CONFIG_FILE_ENV));
        }
        if (!command.equals("run")) {
            err.println("pipeline: unknown command '" + command + "'; expected run, provision, models, load, soak or bench-worker (see --help)");
            return 2;
        }
        try {
            Settings settings = Settings.load(settingsOfRun(), configFile, env);
            FeedOptions feedOptions = FeedOptions.from(settings);
            StackOptions stackOptions = StackOptions.from(settings);
            ServiceOptions serviceOptions = ServiceOptions.from(settings);
            if (demo) {
                serviceOptions = serviceOptions.withModelFile(WeakStart.write(feedOptions.images(), serviceOptions.modelFile(),
                        stackOptions.dataDir(), out));
            }
            if (demoRgb) {
                serviceOptions = serviceOptions.withModelFile(RgbDemo.importModel(settings.get(RgbDemo.MODEL), stackOptions.dataDir(), out));
                feedOptions = feedOptions.sending(RgbDemo.photos(feedOptions.images(), stackOptions.dataDir(), out));
            }
            runStack(stackOptions, serviceOptions, feed ? feedOptions.on() : feedOptions, configFile, out);
            return 0;
        } catch (SettingsException | InfraException e) {
            err.println("pipeline: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("pipeline: the demo cannot be prepared: " + e.getMessage()
                    + " (stack.feed-images names the IDX folder its images come from)");
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private static int models(List<String> rest, Map<String, String> env, PrintStream out, PrintStream err) {
        String file = env.get(Settings.CONFIG_FILE_ENV);
        try {
            Settings settings = Settings.load(ModelsCommand.SETTINGS, file == null || file.isBlank() ? null : Path.of(file), env);
            return ModelsCommand.run(rest, settings, out, err);
        } catch (SettingsException e) {
            err.println("pipeline models: " + e.getMessage());
            return 1;
        }
    }

    private static int provision(List<String> rest, Map<String, String> env, PrintStream out, PrintStream err) {
        boolean acls = rest.equals(List.of("--acls"));
        if (!rest.isEmpty() && !acls) {
            err.println("pipeline provision: unexpected arguments " + rest + "; it takes --acls or nothing (settings: provision.*,"
                    + " kafka.*, registry.*)");
            return 2;
        }
        String file = env.get(Settings.CONFIG_FILE_ENV);
        try {
            Settings settings = Settings.load(acls ? AccessGrants.SETTINGS : Provisioning.SETTINGS,
                    file == null || file.isBlank() ? null : Path.of(file), env);
            return Provisioning.run(settings, acls, out) ? 0 : 1;
        } catch (SettingsException | InfraException e) {
            err.println("pipeline provision: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private static List<Setting<?>> settingsOfRun() {
        List<Setting<?>> all = new ArrayList<>(StackOptions.SETTINGS);
        all.addAll(ServiceOptions.SETTINGS);
        all.addAll(FeedOptions.SETTINGS);
        all.add(RgbDemo.MODEL);
        return all;
    }

    /** Starts the stack and blocks until the JVM is asked to stop; the shutdown hook stops everything. */
    private static void runStack(StackOptions options, ServiceOptions serviceOptions, FeedOptions feedOptions, Path configFile,
                                 PrintStream out) throws InterruptedException {
        AtomicReference<LocalStack> running = new AtomicReference<>();
        AtomicReference<StackServices> services = new AtomicReference<>();
        AtomicReference<LiveFeed> feed = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            out.println("Stopping the local stack...");
            LiveFeed feeding = feed.get();
            if (feeding != null) {
                feeding.close();
            }
            StackServices started = services.get();
            if (started != null) {
                started.close();
            }
            LocalStack stack = running.get();
            if (stack != null) {
                stack.close();
            }
            // Whatever was still starting when the signal came.
            ChildProcess.stopAll(Duration.ofSeconds(30));
            out.println("Stopped.");
            stopped.countDown();
        }, "stack-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("Starting Kafka and the schema registry (data in " + options.dataDir().toAbsolutePath() + ")...");
        LocalStack stack;
        try {
            stack = LocalStack.start(options);
        } catch (RuntimeException | InterruptedException e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            throw e;
        }
        running.set(stack);
        stack.describe(out);
        out.println("Starting the gateway, " + serviceOptions.workers() + " inference worker(s)"
                + (serviceOptions.trainer() ? " and the trainer..." : "..."));
        services.set(StackServices.start(stack, options, serviceOptions, configFile, out));
        services.get().describe(out);
        if (feedOptions.enabled()) {
            try {
                feed.set(services.get().feed(feedOptions, out));
            } catch (IOException e) {
                out.println("The live feed cannot start: " + e.getMessage() + " (stack.feed-images is " + feedOptions.images()
                        + "; expected an IDX folder with t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, or a folder of class"
                        + " folders of images)");
            }
        }
        out.println("Press Ctrl-C to stop.");
        out.flush();
        stopped.await();
    }

    /** {@code bench-worker [IMAGES [BATCH [REPEATS]]]}: see {@link WorkerBenchmark}. */
    private static int benchWorker(List<String> args, PrintStream out, PrintStream err) {
        try {
            int images = args.isEmpty() ? 2000 : Integer.parseInt(args.get(0));
            int repeats = args.size() < 2 ? 3 : Integer.parseInt(args.get(1));
            if (args.size() > 2 || images < 128 || repeats < 1) {
                err.println("pipeline: bench-worker takes [IMAGES [REPEATS]]: 128 images or more, 1 repeat or more; got " + args);
                return 2;
            }
            WorkerBenchmark.run(images, repeats, out);
            return 0;
        } catch (NumberFormatException e) {
            err.println("pipeline: bench-worker takes [IMAGES [REPEATS]] as whole numbers; got " + args);
            return 2;
        } catch (Exception e) {
            err.println("pipeline: bench-worker failed: " + e);
            return 1;
        }
    }

    /** {@code load …}: see {@link LoadOptions#USAGE}. */
    private static int soak(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.contains("--help")) {
            out.println(Soak.USAGE);
            return 0;
        }
        try {
            Path dataDir = StackOptions.from(Settings.load(StackOptions.SETTINGS, null, env)).dataDir();
            return Soak.run(args, dataDir.resolve("api-key"), out, err);
        } catch (IllegalArgumentException | SettingsException e) {
            err.println("pipeline soak: " + e.getMessage() + "\n" + Soak.USAGE);
            return 2;
        } catch (IOException e) {
            err.println("pipeline soak: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private static int load(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.contains("--help")) {
            out.println(LoadOptions.USAGE);
            return 0;
        }
        try {
            Path dataDir = StackOptions.from(Settings.load(StackOptions.SETTINGS, null, env)).dataDir();
            LoadOptions options = LoadOptions.parse(args, dataDir.resolve("api-key"));
            List<LoadImages.Image> images = options.images() != null
                    ? LoadImages.fromFolder(options.images(), 100_000) : LoadImages.fromIdx(options.idx(), 10_000);
            err.println("Load: " + options.describe() + ", " + images.size() + " distinct images");
            LoadReport report = new LoadGenerator(options, images, err).run();
            report.print(out);
            if (options.json() != null) {
                Files.writeString(options.json(), report.toJson().encodePrettily() + "\n");
            }
            return report.accepted() > 0 ? 0 : 1;
        } catch (IllegalArgumentException | SettingsException e) {
            err.println("pipeline load: " + e.getMessage() + "\n" + LoadOptions.USAGE);
            return 2;
        } catch (IOException e) {
            err.println("pipeline load: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private static void usage(PrintStream out) {
        out.println("""
                Usage: pipeline run [--config FILE] [--feed | --demo | --demo-rgb]
                       pipeline provision [--acls]
                       pipeline models list [--name NAME] | publish FILE [...]   (models --help)
                       pipeline load (--rate N | --concurrency N) (--duration D | --count N) [...]   (load --help)
                       pipeline soak [--minutes 30] [...]   (soak --help)
                       pipeline bench-worker [IMAGES [BATCH [REPEATS]]]

                  run           start Kafka (KRaft) and the schema registry on 127.0.0.1, create the topics,
                                register the schemas, seed the models topic, start the gateway (with a new
                                API key), the inference workers and the trainer, print the endpoints; Ctrl-C
                                stops everything. --feed: replay the sample images through the gateway and send
                                half of their labels back, printing accuracy and model versions as they change.
                                --demo: --feed from a weak first model, so the trainer visibly replaces it.
                                --demo-rgb: serve an imported 224×224 RGB model (models/garments-rgb224.onnx) and
                                --feed it colour photos (JPEG, 320×320).
                  provision     ready a Kafka cluster and schema registry run elsewhere for the services: create
                                the topics, register the schemas, seed the models topic with a first model (settings:
                                kafka.bootstrap-servers, registry.url, provision.replication-factor,
                                provision.model-file; PIPELINE_... as below). On a secured cluster, any Kafka
                                client property as kafka.PROPERTY (PIPELINE_KAFKA_SASL_JAAS_CONFIG, ...) and
                                registry.basic-auth-user-info, registry.bearer-token, registry.truststore.
                                --acls: also grant each service's principal (provision.worker-principal,
                                provision.gateway-principal, provision.trainer-principal) exactly the ACLs it
                                needs (docs/security.md)
                  models        the versions on the models topic of a running stack or cluster, and publishing
                                an engine model file or an ONNX classifier as a new version (promoted or a candidate)
                  load          a bounded HTTP load on the gateway, with a report (requests/s, latency, accuracy)
                  soak          a steady load with feedback on the running stack for N minutes: latency per minute,
                                memory of every process, GC pauses, lag, training rounds; a table, a plot, a verdict
                  bench-worker  worker throughput through Kafka against the engine alone, on a stack of its own.

                Settings (defaults < FILE or $PIPELINE_CONFIG < environment):""");
        settingsOfRun().forEach(s -> out.printf("  %-32s %-36s %s (default %s)%n",
                s.key(), s.envName(), s.description(), s.defaultValue()));
    }
}
