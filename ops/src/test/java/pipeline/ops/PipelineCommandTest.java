package pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pipeline.ops.load.LoadGenerator;
import pipeline.ops.load.LoadImages;
import pipeline.ops.load.LoadOptions;
import pipeline.ops.load.LoadReport;

/** The {@code pipeline run} command as a user meets it: a separate JVM with its services, stopped by a signal. */
class PipelineCommandTest {

    /** Linux's scheduling policies (sched.h). */
    private static final int SCHED_OTHER = 0;
    private static final int SCHED_IDLE = 5;

    static final Path SAMPLE = Path.of("../convnet/src/test/resources/fashion-mnist-sample");

    @TempDir
    Path dataDir;

    /** The command a test started, killed afterwards with all it started, whatever the outcome. */
    private StackCommand stack;

    @AfterEach
    void killLeftovers() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void theDemoFeedsImagesAndLabelsFromAWeakModelAndSigtermStopsEverything() throws Exception {
        stack = StackCommand.start(dataDir, Map.of("PIPELINE_STACK_FEED_IMAGES", SAMPLE.toAbsolutePath().toString()), "--demo");
        List<ProcessHandle> children = stack.awaitReady();
        Process command = stack.process();
        assertThat(children).filteredOn(child -> service(child).equals("trainer")).singleElement()
                .satisfies(trainer -> assertThat(schedulingPolicy(trainer)).as("training runs on time serving leaves").isEqualTo(SCHED_IDLE));
        assertThat(children).filteredOn(child -> service(child).startsWith("worker")).isNotEmpty()
                .allSatisfy(worker -> assertThat(schedulingPolicy(worker)).isEqualTo(SCHED_OTHER));

        Matcher weak = stack.awaitLine(Pattern.compile("  model fashion-lenet5 v1 PROMOTED: ([0-9.]+) % on its test set.*"),
                Duration.ofSeconds(30));
        Matcher counts = stack.awaitLine(Pattern.compile("[0-9:]+ feed: (\\d+) sent, (\\d+) predicted .*, (\\d+) labels back.*"),
                Duration.ofSeconds(30));
        assertThat(Double.parseDouble(weak.group(1))).as("the demo's first model is weak: %s", weak.group()).isLessThan(60);
        assertThat(Integer.parseInt(counts.group(2))).as("predicted in 10 s at 50/s").isGreaterThan(200);
        assertThat(Integer.parseInt(counts.group(3))).as("labels sent back in 10 s").isGreaterThan(100);

        command.destroy();


        assertThat(command.waitFor(90, TimeUnit.SECONDS)).as("command exits").isTrue();
        assertThat(children).as("broker, registry, gateway, worker and trainer").hasSize(5)
                .allSatisfy(child -> assertThat(child.isAlive()).isFalse());
    }

    /**
     * {@code --demo-rgb}: the committed 224×224 RGB ONNX classifier imported and served, colour JPEG photos of
     * camera size fed through the gateway and mostly predicted right, and the trainer fine-tuning that model
     * (the one the stack serves, named in its model file), not the bundled one.
     */
    @Test
    void theRgbDemoServesTheImportedModelOnColourPhotosAndItsTrainerFollowsThatModel() throws Exception {
        stack = StackCommand.start(dataDir, Map.of("PIPELINE_STACK_FEED_IMAGES", SAMPLE.toAbsolutePath().toString()), "--demo-rgb");
        stack.awaitReady();

        assertThat(stack.printed("Imported ")).contains("garments-rgb224.onnx: garments-rgb224, input 3×224×224, resize centre-crop:0.875,"
                + " 10 classes");
        Path photo = dataDir.resolve("demo-photos").resolve("Sneaker").resolve("0.jpg");
        assertThat(ImageIO.read(photo.toFile()).getWidth()).isEqualTo(RgbDemo.PHOTO_SIZE);
        // The first lines come while the worker warms up on 224×224 inputs; within a minute it keeps up with the feed.
        Pattern line = Pattern.compile("[0-9:]+ feed: (\\d+) sent, (\\d+) predicted \\(v1 ([0-9.]+) % right\\), (\\d+) labels back.*");
        Matcher counts = stack.awaitLine(line, Duration.ofSeconds(40));
        for (int i = 0; i < 5 && Integer.parseInt(counts.group(2)) <= 400; i++) {
            counts = stack.awaitLine(line, Duration.ofSeconds(20));
        }
        assertThat(Integer.parseInt(counts.group(2))).as("photos predicted in 10 s at 50/s: %s", counts.group()).isGreaterThan(400);
        assertThat(Double.parseDouble(counts.group(3))).as("the model is right on about 3 of 4 (chance: 1 in 10)").isGreaterThan(50);
        assertThat(Integer.parseInt(counts.group(4))).as("labels sent back").isGreaterThan(150);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.readString(dataDir.resolve("trainer.log")).contains("Training garments-rgb224 from v1")) {
            assertThat(System.nanoTime()).as("the trainer's log: %s", Files.readString(dataDir.resolve("trainer.log"))).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    @Test
    void theStackPredictsWithThePrintedKeyAndStartsAgainAServiceThatDies() throws Exception {
        stack = StackCommand.start(dataDir, Map.of());
        stack.awaitReady();
        String key = stack.apiKey();
        URI gateway = stack.gateway();
        assertThat(Files.readString(dataDir.resolve("api-key")).strip()).isEqualTo(key);
        assertThat(Files.getPosixFilePermissions(dataDir.resolve("api-key"))).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

        LoadReport first = predictSome(gateway, key);
        assertThat(first.statuses()).as("answers with a prediction").containsEntry(200, 20L);
        // The bundled model learnt from Debian's Fashion-MNIST training images (./pipeline test installs them): its
        // trainer replays them beside what the stack is taught.
        assertThat(Files.readString(dataDir.resolve("trainer.log"))).as("the trainer's log")
                .contains("Replaying 20000 images of /usr/share/datasets/fashion-mnist as 50% of every round's draws");
        assertThat(first.correct()).as("right labels out of 20 (the model is at 91 %)").isGreaterThanOrEqualTo(14);

        stack.service("worker-1").destroyForcibly();
        stack.awaitLine("worker-1 exited unexpectedly", Duration.ofSeconds(30));
        LoadReport again = predictSome(gateway, key);
        assertThat(again.statuses()).as("answers after the worker was started again").containsEntry(200, 20L);
        assertThat(stack.process().isAlive()).isTrue();
    }

    /** 20 images from the committed sample through the gateway, each waiting for its prediction. */
    private static LoadReport predictSome(URI gateway, String key) throws InterruptedException {
        LoadOptions options = LoadOptions.parse(List.of("--url", gateway.toString(), "--key", key, "--concurrency", "2",
                "--count", "20", "--wait", "60s", "--idx", SAMPLE.toString(),
                "--quiet"), Path.of("unused"));
        try {
            return new LoadGenerator(options, LoadImages.fromIdx(options.idx(), 20), System.err).run();
        } catch (IOException e) {
            throw new AssertionError("the committed sample cannot be read", e);
        }
    }

    @Test
    void killingTheCommandOutrightStillTakesBrokerAndRegistryDown() throws Exception {
        stack = StackCommand.start(dataDir, Map.of());
        List<ProcessHandle> children = stack.awaitReady();

        stack.process().destroyForcibly();

        for (ProcessHandle child : children) {
            child.onExit().get(60, TimeUnit.SECONDS);
        }
        assertThat(children).allSatisfy(child -> assertThat(child.isAlive()).isFalse());
    }

    @Test
    void aTakenPortIsOneLineNamingPortUserAndSetting() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Result result = runInProcess(Map.of("PIPELINE_STACK_KAFKA_PORT", Integer.toString(taken.getLocalPort()),
                    "PIPELINE_STACK_DATA_DIR", dataDir.toString()));

            assertThat(result.exit()).isEqualTo(1);
            assertThat(result.err().lines()).singleElement().asString()
                    .contains("127.0.0.1:" + taken.getLocalPort() + " is already in use")
                    .contains("the Kafka broker")
                    .contains("PIPELINE_STACK_KAFKA_PORT");
        }
    }

    @Test
    void anInvalidSettingFailsBeforeAnythingStarts() {
        Result result = runInProcess(Map.of("PIPELINE_STACK_KAFKA_PORT", "ninety"));

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).contains("stack.kafka-port").contains("PIPELINE_STACK_KAFKA_PORT")
                .contains("a TCP port from 0 to 65535");
    }

    @Test
    void aMissingRegistryIsOneLineSayingWhereItWasLookedFor() throws IOException {
        Path empty = Files.createDirectories(dataDir.resolve("no-registry-here"));
        Result result = runInProcess(Map.of("PIPELINE_STACK_REGISTRY_HOME", empty.toString(),
                "PIPELINE_STACK_DATA_DIR", dataDir.toString(), "PIPELINE_STACK_KAFKA_PORT", "0",
                "PIPELINE_STACK_CONTROLLER_PORT", "0", "PIPELINE_STACK_REGISTRY_PORT", "0",
                "PIPELINE_STACK_REGISTRY_MANAGEMENT_PORT", "0"));

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err().lines()).singleElement().asString()
                .contains("Apicurio Registry is not at " + empty);
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive)).as("child processes left").isEmpty();
    }

    @Test
    void unknownCommandsAndArgumentsAreRefusedWithUsage() {
        assertThat(runInProcess(Map.of(), "serve").err()).contains("unknown command 'serve'; expected run");
        assertThat(runInProcess(Map.of(), "run", "--verbose").err()).contains("expected [--config FILE]");
        assertThat(runInProcess(Map.of(), "--help").out()).contains("stack.kafka-port").contains("PIPELINE_STACK_KAFKA_PORT");
    }

    record Result(int exit, String out, String err) {}

    private static Result runInProcess(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = PipelineCommand.run(args.length == 0 ? new String[] {"run"} : args, env,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The {@code -Dpipeline.service} a child runs as, from its command line in /proc; empty for broker and registry. */
    private static String service(ProcessHandle child) {
        try {
            for (String arg : Files.readString(Path.of("/proc", Long.toString(child.pid()), "cmdline")).split("\0")) {
                if (arg.startsWith("-Dpipeline.service=")) {
                    return arg.substring("-Dpipeline.service=".length());
                }
            }
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A process's scheduling policy, field 41 of /proc/PID/stat (counting from its pid). */
    private static int schedulingPolicy(ProcessHandle process) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            // Fields 3 onwards follow the parenthesised command name, which may hold spaces.
            return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[41 - 3]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
