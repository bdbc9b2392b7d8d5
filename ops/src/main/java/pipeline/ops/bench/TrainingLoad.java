package pipeline.ops.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import pipeline.infra.ChildProcess;

/**
 * What a trainer round puts on the machine, for as long as it is open: a JVM of its own fine-tuning
 * LeNet-5 as the trainer does (batches of 64, one engine thread, the trainer's default, at the lower
 * CPU priority the local stack runs its trainer at), on the committed Fashion-MNIST sample, until closed.
 */
final class TrainingLoad implements AutoCloseable {

    private final ChildProcess process;

    private TrainingLoad(ChildProcess process) {
        this.process = process;
    }

    /** Starts training and gives it a few seconds to be past its start and into its steps. */
    static TrainingLoad start() throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("bench-training-");
        List<String> command = List.of(ChildProcess.javaExecutable(), "--add-modules", "jdk.incubator.vector",
                "-cp", ChildProcess.absoluteClassPath(), "pipeline.convnet.cli.ConvnetCommand", "train", "--arch", "lenet5",
                "--data", Path.of("convnet/src/test/resources/fashion-mnist-sample").toAbsolutePath().toString(),
                "--epochs", "100000", "--batch", "64", "--threads", "1", "--out", work.resolve("unused.model").toString());
        // At the priority the local stack gives its trainer.
        ChildProcess process = ChildProcess.start("training load", ChildProcess.inBackground(command), Path.of("").toAbsolutePath(),
                work.resolve("training.log"));
        Thread.sleep(Duration.ofSeconds(5));
        if (!process.isAlive()) {
            throw new IllegalStateException("the training load stopped at once; see " + process.log());
        }
        return new TrainingLoad(process);
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(5));
    }
}
