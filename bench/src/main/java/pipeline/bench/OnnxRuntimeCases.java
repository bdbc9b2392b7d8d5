package pipeline.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/** ONNX Runtime for Java running the models PyTorch exported: inference and latency only. */
final class OnnxRuntimeCases {

    private OnnxRuntimeCases() {
    }

    /** Images per second (or µs per image for {@code latency}) of the model, whose input is {@code shape = [C, H, W]}. */
    static double model(Path onnxFolder, String model, int[] shape, String mode, int batch, int threads, double seconds)
            throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession session = env.createSession(onnxFolder.resolve(model + ".onnx").toString(), options);
                 OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(EngineCases.images(shape, batch).data()),
                         new long[] {batch, shape[0], shape[1], shape[2]})) {
                Map<String, OnnxTensor> feed = Map.of("input", input);
                double calls = Rate.callsPerSecond(() -> {
                    try (OrtSession.Result result = session.run(feed)) {
                        result.get(0);
                    }
                }, seconds);
                return mode.equals("latency") ? 1e6 / calls : calls * batch;
            }
        }
    }
}
