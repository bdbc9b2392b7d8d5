package pipeline.convnet.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pipeline.convnet.init.Initializer;
import pipeline.convnet.kernel.Gemm;
import pipeline.convnet.kernel.RowTimesMatrix;
import pipeline.convnet.kernel.Winograd;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.tensor.Tensor;

/**
 * Planned inference computes exactly what the fused network computes layer by layer, whatever the
 * buffers held before, on any batch size and any number of threads, and allocates nothing per batch
 * but its results.
 */
class ServingNetworkTest {

    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "vgg-small", "resnet20"})
    void servesWhatTheFusedNetworkComputes(String architecture) {
        assertServesAsFused(initialised(NetworkSpec.builtIn(architecture, 5)));
    }

    @Test
    void servesMobileNetBlocksAsFused() throws IOException {
        assertServesAsFused(initialised(NetworkSpec.parse(
                Files.readString(Path.of("src/test/resources/specs/mobilenet-blocks.net")), 5)));
    }

    /** Batch sizes change between calls, so buffers hold a larger or smaller batch's leftovers. */
    private static void assertServesAsFused(Network network) {
        ServingNetwork serving = ServingNetwork.of(network);
        Network fused = network.fusedForInference();
        for (int n : new int[] {7, 2, 7, 1, 9}) {
            Tensor images = RandomImages.gaussian(n, 100 + n);
            Network.Output expected = fused.forwardWithEmbeddings(images, Mode.INFER);

            Network.Output actual = serving.infer(images);

            assertThat(actual.logits().shape()).containsExactly(n, network.classes());
            assertThat(actual.logits().data()).as("logits, batch %d", n).containsExactly(expected.logits().data());
            assertThat(actual.embeddings().data()).as("embeddings, batch %d", n).containsExactly(expected.embeddings().data());
            assertThat(serving.logits(images).data()).containsExactly(expected.logits().data());
        }
    }

    @Test
    void resultsAreTheCallersAndOutliveTheNextBatch() {
        ServingNetwork serving = ServingNetwork.of(initialised(NetworkSpec.builtIn("resnet20", 5)));
        Tensor first = serving.logits(RandomImages.gaussian(4, 1));
        float[] kept = first.data().clone();

        serving.logits(RandomImages.gaussian(4, 2));

        assertThat(first.data()).containsExactly(kept);
    }

    @Test
    void networksTakingTurnsOnOneThreadShareItsBuffersAndKeepTheirAnswers() {
        Network small = initialised(NetworkSpec.builtIn("lenet5", 5));
        Network large = initialised(NetworkSpec.builtIn("resnet20", 6));
        ServingNetwork first = ServingNetwork.of(small);
        ServingNetwork second = ServingNetwork.of(large);
        Tensor images = RandomImages.gaussian(5, 9);
        float[] expectedFirst = small.fusedForInference().forward(images, Mode.INFER).data();
        float[] expectedSecond = large.fusedForInference().forward(images, Mode.INFER).data();

        for (int turn = 0; turn < 3; turn++) {
            assertThat(first.logits(images).data()).as("lenet5, turn %d", turn).containsExactly(expectedFirst);
            assertThat(second.logits(images).data()).as("resnet20, turn %d", turn).containsExactly(expectedSecond);
        }
    }

    @Test
    void threadsServeOneNetworkAtOnce() throws Exception {
        Network network = initialised(NetworkSpec.builtIn("resnet20", 5));
        ServingNetwork serving = ServingNetwork.of(network);
        Network fused = network.fusedForInference();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Boolean>> same = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                Tensor images = RandomImages.gaussian(3 + t, 40 + t);
                float[] expected = fused.forward(images, Mode.INFER).data();
                same.add(pool.submit(() -> {
                    boolean equal = true;
                    for (int round = 0; round < 20; round++) {
                        equal &= java.util.Arrays.equals(serving.logits(images).data(), expected);
                    }
                    return equal;
                }));
            }
            for (Future<Boolean> f : same) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aWarmBatchAllocatesOnlyItsResults() {
        ServingNetwork serving = ServingNetwork.of(initialised(NetworkSpec.builtIn("resnet20", 5)));
        Tensor images = RandomImages.gaussian(32, 3);
        // Warm: the first batches allocate the buffers, and run vector code before the JIT compiles it.
        for (int i = 0; i < 5; i++) {
            serving.infer(images);
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // The least of three batches: a late JIT compilation or deoptimisation can add a little to any one of them.
        long allocated = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            serving.infer(images);
            allocated = Math.min(allocated, threads.getCurrentThreadAllocatedBytes() - before);
        }
        long results = (32L * 10 + 32L * 64) * Float.BYTES;
        // One layer's output alone is 32·16·28·28 floats (1.6 MB): without the plan each batch allocates dozens.
        assertThat(allocated).as("bytes allocated by a warm batch").isLessThan(results + 64 * 1024);
    }

    @Test
    void resNet18AtBatch32NeedsAtMostTwiceItsLargestActivation() {
        ServingNetwork serving = ServingNetwork.of(NetworkSpec.builtIn("resnet18", 5));

        ServingNetwork.Memory memory = serving.memory(32);

        // conv1's output, [32, 64, 112, 112]
        assertThat(memory.largestActivation()).isEqualTo(32L * 64 * 112 * 112 * Float.BYTES);
        assertThat(memory.activations()).isLessThanOrEqualTo(2 * memory.largestActivation());
        // as served: the 4,800 channels of batch-norm (γ and β) folded into a bias of the convolution before each;
        // beside them the 3×3 stride-1 convolutions' weights transformed for Winograd (36 per pair of channels:
        // 4 of 64→64, 3 each of 128, 256 and 512), and the classifier's weight transposed, its 1,000 outputs padded
        long winograd = (long) Winograd.POSITIONS * (4 * 64 * 64 + 3 * 128 * 128 + 3 * 256 * 256 + 3 * 512 * 512);
        long transposed = 512L * Gemm.roundUp(1000, RowTimesMatrix.WIDTH);
        assertThat(memory.weights()).isEqualTo((11_689_512L - 4_800 + winograd + transposed) * Float.BYTES);
    }

    @Test
    void aBatchOfTheWrongShapeIsRefusedByName() {
        ServingNetwork serving = ServingNetwork.of(NetworkSpec.builtIn("lenet5", 5));

        assertThatThrownBy(() -> serving.logits(Tensor.zeros(2, 3, 28, 28)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("network input");
        assertThatThrownBy(() -> serving.memory(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one image");
    }

    private static Network initialised(Network network) {
        new Initializer(Initializer.Scheme.HE, 5).initialise(network.graph());
        for (int step = 0; step < 2; step++) {
            network.forward(RandomImages.gaussian(8, 10 + step), Mode.TRAIN);
        }
        return network;
    }
}
