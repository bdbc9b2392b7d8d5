package pipeline.ops.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import pipeline.infra.ChildProcess;

/**
 * What a trainer round puts on the machine, for as long as it is open: a JVM of its own fine-tuning
 * LeNet-5 as the trainer does ({@link TrainingLoadMain}), at the lower CPU priority the local stack
 * runs its trainer at, pausing between steps while the given workers are behind unless told not to.
 */
final class TrainingLoad implements AutoCloseable {

    private final ChildProcess process;

    private TrainingLoad(ChildProcess process) {
        this.process = process;
    }

    /**
     * Starts training and gives it a few seconds to be past its start and into its steps.
     *
     * @param workerGroup the workers' consumer group on {@code images}
     * @param yieldLag    images they may be behind before training pauses (the trainer's {@code trainer.yield-lag}); 0 never pauses
     */
    static TrainingLoad start(String bootstrapServers, String workerGroup, int yieldLag) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("bench-training-");
        List<String> command = List.of(ChildProcess.javaExecutable(), "--add-modules", "jdk.incubator.vector",
                "-cp", ChildProcess.absoluteClassPath(), TrainingLoadMain.class.getName(), bootstrapServers, workerGroup,
                Integer.toString(yieldLag));
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
