package pipeline.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch 1.13 (Debian's {@code python3-torch}) through {@code bench/tools/torch_bench.py}, in a
 * child process with {@code OPENBLAS_NUM_THREADS=1}: without it, OpenBLAS's and OpenMP's threads
 * fight over the two cores and PyTorch runs 10–50× slower, which would make the comparison worthless.
 */
final class TorchCases {

    static final Path PYTHON = Path.of("/usr/bin/python3");
    private final Path script;

    TorchCases(Path projectRoot) {
        this.script = projectRoot.resolve("bench/tools/torch_bench.py");
    }

    void exportOnnx(Path folder) throws IOException, InterruptedException {
        run(List.of("export", folder.toString()));
    }

    /** One line per config ({@code model:mode:batch}): {@code model,mode,batch,threads,value}. */
    List<String> measure(int threads, double seconds, List<String> configs) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("measure", String.valueOf(threads), String.valueOf(seconds)));
        args.addAll(configs);
        return run(args);
    }

    private List<String> run(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), script.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("OPENBLAS_NUM_THREADS", "1");
        builder.environment().put("OMP_NUM_THREADS", args.get(0).equals("measure") ? args.get(1) : "1");
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("PyTorch benchmark failed (exit " + process.exitValue() + "): " + String.join(" ", command));
        }
        return out.lines().filter(line -> !line.isBlank()).toList();
    }
}
