package pipeline.convnet.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pipeline.convnet.init.Initializer;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.layer.GradientCheck;
import pipeline.convnet.tensor.Tensor;

/**
 * Several threads running inference on one network get exactly the answers they get alone, as the
 * inference worker's loops rely on: scratch space is per thread, and nothing a pass records feeds
 * another pass's output (a sum that read the operands it kept, not those it was given, once answered
 * with another thread's batch size). Batches of different sizes make the threads' shapes differ too.
 */
class ConcurrentInferenceTest {

    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "resnet20", "every kind of node"})
    void threadsSharingANetworkGetTheirOwnAnswers(String architecture) throws Exception {
        Network network = architecture.equals("every kind of node") ? NetworkSpec.parse(SpecWriterTest.EVERY_NODE, 5)
                : NetworkSpec.builtIn(architecture, 5);
        new Initializer(Initializer.Scheme.HE, 5).initialise(network.graph());
        List<Tensor> batches = List.of(3, 16, 1).stream().map(n -> GradientCheck.input(n, network.batchShape(n))).toList();
        List<float[]> alone = new ArrayList<>();
        for (Tensor batch : batches) {
            alone.add(network.forward(batch, Mode.INFER).data());
        }

        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            List<Future<Boolean>> runs = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int first = t;
                runs.add(threads.submit(() -> {
                    for (int round = 0; round < 50; round++) {
                        int b = (first + round) % batches.size();
                        float[] logits = network.forward(batches.get(b), Mode.INFER).data();
                        if (!Arrays.equals(logits, alone.get(b))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> run : runs) {
                assertThat(run.get()).as("every concurrent answer equals the answer computed alone").isTrue();
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
