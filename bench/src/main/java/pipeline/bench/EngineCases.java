package pipeline.bench;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.SplittableRandom;
import pipeline.convnet.data.Augmentation;
import pipeline.convnet.data.Normalisation;
import pipeline.convnet.init.Initializer;
import pipeline.convnet.kernel.Workspace;
import pipeline.convnet.layer.Conv2d;
import pipeline.convnet.layer.Layer;
import pipeline.convnet.layer.Linear;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.net.Network;
import pipeline.convnet.net.NetworkSpec;
import pipeline.convnet.net.ServingNetwork;
import pipeline.convnet.optim.LearningRateSchedule;
import pipeline.convnet.optim.Sgd;
import pipeline.convnet.tensor.Tensor;
import pipeline.convnet.train.Trainer;

/** The engine's side: whole models (inference, latency, a training step) and single layers. */
final class EngineCases {

    private static final double MB = 1 << 20;

    private EngineCases() {
    }

    /** A random batch {@code [n, C, H, W]} for a network's {@code input = [C, H, W]}. */
    static Tensor images(int[] input, int n) {
        SplittableRandom random = new SplittableRandom(n);
        float[] data = new float[n * input[0] * input[1] * input[2]];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        return new Tensor(data, n, input[0], input[1], input[2]);
    }

    /** The built-in network, He-initialised. */
    static Network network(String model) {
        Network network = NetworkSpec.builtIn(model, 1);
        new Initializer(Initializer.Scheme.HE, 1).initialise(network.graph());
        return network;
    }

    /**
     * Serving memory in MB: the weights as served (batch-norm folded), the activation buffers of the
     * serving thread's plan, the scratch all threads hold (workspace), the largest single activation,
     * and what one batch allocates on all threads once warmed up ({@code com.sun.management.ThreadMXBean}).
     */
    record Memory(double weights, double activations, double scratch, double largestActivation, double allocatedPerBatch) {}

    static Memory memory(String model, int batch) {
        ServingNetwork serving = ServingNetwork.of(network(model));
        Tensor x = images(serving.network().input(), batch);
        Workspace.releaseAll();
        // past the JIT's warm-up, whose interpreted vector code allocates
        long warm = System.nanoTime() + 3_000_000_000L;
        for (int i = 0; i < 10 || System.nanoTime() < warm; i++) {
            serving.infer(x);
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int batches = 5;
        long before = threads.getTotalThreadAllocatedBytes();
        for (int i = 0; i < batches; i++) {
            serving.infer(x);
        }
        double allocated = (threads.getTotalThreadAllocatedBytes() - before) / MB / batches;
        ServingNetwork.Memory plan = serving.memory(batch);
        return new Memory(plan.weights() / MB, plan.activations() / MB, Workspace.heldBytes() / MB,
                plan.largestActivation() / MB, allocated);
    }

    /** Images per second (or µs per image for {@code latency}) of one model configuration. */
    static double model(String model, String mode, int batch, double seconds) throws Exception {
        Network network = network(model);
        Tensor x = images(network.input(), batch);
        if (mode.equals("train")) {
            Trainer trainer = new Trainer(network, Normalisation.FASHION_MNIST, new Trainer.Config(1, batch,
                    LearningRateSchedule.constant(0.01f), new Sgd(0.9f, false, 0f), Augmentation.NONE, 0f, 1));
            int[] labels = new SplittableRandom(7).ints(batch, 0, network.classes()).toArray();
            return Rate.callsPerSecond(() -> trainer.trainStep(x, labels, 1), seconds) * batch;
        }
        // Inference as the worker serves it: batch-norm folded, ReLU fused, buffers planned.
        ServingNetwork serving = ServingNetwork.of(network);
        double calls = Rate.callsPerSecond(() -> serving.logits(x), seconds);
        return mode.equals("latency") ? 1e6 / calls : calls * batch;
    }

    /** A layer of LeNet-5, ResNet-20 or ResNet-18 with the input it sees there, and its multiply-adds per image. */
    record LayerShape(String name, Layer layer, int[] input, long macsPerImage) {
        static LayerShape conv(String name, int c, int oc, int k, int stride, int pad, int hw) {
            int out = (hw + 2 * pad - k) / stride + 1;
            return new LayerShape(name, Conv2d.square(c, oc, k, stride, pad, 1, 1, false), new int[] {c, hw, hw},
                    (long) oc * out * out * c * k * k);
        }

        static LayerShape linear(String name, int in, int out) {
            return new LayerShape(name, new Linear(in, out, true), new int[] {in}, (long) in * out);
        }

        /** The layer's copy for serving, as a served network holds it (Winograd's weights, a transposed weight), or itself. */
        Layer serving() {
            if (layer instanceof Conv2d conv) {
                return conv.forServing();
            }
            return layer instanceof Linear linear ? linear.forServing() : layer;
        }
    }

    static final LayerShape[] LAYERS = {
            LayerShape.conv("lenet5 conv1 1→6 5×5 p2 @28", 1, 6, 5, 1, 2, 28),
            LayerShape.conv("lenet5 conv2 6→16 5×5 @14", 6, 16, 5, 1, 0, 14),
            LayerShape.linear("lenet5 fc 400→120", 400, 120),
            LayerShape.conv("resnet20 stem 1→16 3×3 @28", 1, 16, 3, 1, 1, 28),
            LayerShape.conv("resnet20 16→16 3×3 @28", 16, 16, 3, 1, 1, 28),
            LayerShape.conv("resnet20 16→32 3×3 s2 @28", 16, 32, 3, 2, 1, 28),
            LayerShape.conv("resnet20 32→32 3×3 @14", 32, 32, 3, 1, 1, 14),
            LayerShape.conv("resnet20 16→32 1×1 s2 @28", 16, 32, 1, 2, 0, 28),
            LayerShape.conv("resnet20 32→64 3×3 s2 @14", 32, 64, 3, 2, 1, 14),
            LayerShape.conv("resnet20 64→64 3×3 @7", 64, 64, 3, 1, 1, 7),
            LayerShape.conv("resnet18 64→64 3×3 @56", 64, 64, 3, 1, 1, 56),
            LayerShape.conv("resnet18 128→128 3×3 @28", 128, 128, 3, 1, 1, 28),
            LayerShape.conv("resnet18 256→256 3×3 @14", 256, 256, 3, 1, 1, 14),
            LayerShape.conv("resnet18 512→512 3×3 @7", 512, 512, 3, 1, 1, 7)};

    /** The passes a layer is timed in: see {@link #layer}. */
    static final List<String> PASSES = List.of("forward", "backward", "infer", "serve");

    /**
     * GFLOP/s of one pass of a layer: {@code forward} and {@code backward} as in training (backward counts
     * the input and weight gradients: twice the work); {@code infer}, inference of the layer as trained;
     * {@code serve}, inference of its serving copy ({@link LayerShape#serving}). Every pass counts the direct
     * computation's multiply-adds, so a faster algorithm (Winograd's) shows as more GFLOP/s.
     */
    static double layer(LayerShape shape, String pass, int batch, double seconds) throws Exception {
        int[] dims = new int[shape.input().length + 1];
        dims[0] = batch;
        System.arraycopy(shape.input(), 0, dims, 1, shape.input().length);
        int size = 1;
        for (int d : dims) {
            size *= d;
        }
        float[] data = new float[size];
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < size; i++) {
            data[i] = (float) random.nextGaussian();
        }
        Tensor x = new Tensor(data, dims);
        Layer layer = shape.layer();
        Tensor y = layer.forward(x, Mode.TRAIN);
        Tensor grad = new Tensor(y.data().clone(), y.shape());
        Tensor out = Tensor.zeros(y.shape());
        Layer served = pass.equals("serve") ? shape.serving() : layer;
        double calls = switch (pass) {
            case "forward" -> Rate.callsPerSecond(() -> layer.forward(x, Mode.TRAIN), seconds);
            case "backward" -> Rate.callsPerSecond(() -> layer.backward(grad), seconds);
            case "infer", "serve" -> Rate.callsPerSecond(() -> served.infer(x, out), seconds);
            default -> throw new IllegalArgumentException("layer pass " + pass + "; expected one of " + PASSES);
        };
        return calls * batch * shape.macsPerImage() * 2 * (pass.equals("backward") ? 2 : 1) / 1e9;
    }
}
