package pipeline.convnet.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import pipeline.convnet.data.Augmentation;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.data.Idx;
import pipeline.convnet.data.ImageFiles;
import pipeline.convnet.data.ImageFolder;
import pipeline.convnet.data.ImageInput;
import pipeline.convnet.data.Resize;
import pipeline.convnet.init.Initializer;
import pipeline.convnet.kernel.Parallelism;
import pipeline.convnet.loss.SoftmaxCrossEntropy;
import pipeline.convnet.loss.TopK;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.model.ModelInfo;
import pipeline.convnet.net.Graph;
import pipeline.convnet.net.Network;
import pipeline.convnet.net.NetworkSpec;
import pipeline.convnet.net.ServingNetwork;
import pipeline.convnet.optim.Adam;
import pipeline.convnet.optim.LearningRateSchedule;
import pipeline.convnet.optim.Optimizer;
import pipeline.convnet.optim.Sgd;
import pipeline.convnet.tensor.Tensor;
import pipeline.convnet.train.Evaluation;
import pipeline.convnet.train.Evaluator;
import pipeline.convnet.train.Trainer;
import pipeline.convnet.train.TransferLearning;

/**
 * The engine's command line.
 *
 * <pre>
 * convnet train  --arch lenet5|vgg-small|resnet20|resnet18|mobilenetv2|alexnet|vgg16|vgg-rgb64|vgg-rgb224|FILE.net [--data DIR] [--val DIR]
 *                [--resize stretch|centre-crop[:F]] [--epochs 10] [--batch 64]
 *                [--lr 0.05] [--optimizer sgd|nesterov|adam|adamw] [--momentum 0.9] [--weight-decay 0.0005]
 *                [--schedule constant|cosine|step] [--warmup STEPS] [--augment none|crop,flip,resized-crop,jitter]
 *                [--threads N] [--seed 1] [--limit N] [--out FILE.model] [--name NAME]
 * convnet finetune --model FILE.model --data DIR [--val DIR] [--freeze-up-to body|none|NODE] [and train's training options]
 * convnet evaluate --model FILE.model [--data DIR]          accuracy, per-class accuracy, confusion matrix
 * </pre>
 * {@code --data} is Fashion-MNIST's IDX folder or a folder of class folders ({@link ImageFolder}: any image
 * format, any size, read at the network's input size); without {@code --val}, a tenth of a folder is held
 * out for evaluation.
 * <pre>
 * convnet predict  --model FILE.model --image FILE [--top 3]   top-k labels of a PNG/JPEG/BMP/GIF
 * convnet sample --from DIR --train N --test N --out DIR     first N images of each split, as gzipped IDX
 * convnet colourise --out DIR [...]                         Fashion-MNIST as a folder of colour pictures ({@link ColourisedFolder})
 * </pre>
 */
public final class ConvnetCommand {

    public static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    private ConvnetCommand() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: convnet train|finetune|evaluate|predict|sample|colourise [--option value ...] (see the class comment)");
            System.exit(2);
        }
        List<String> rest = List.of(args).subList(1, args.length);
        try {
            switch (args[0]) {
                case "train" -> train(rest, System.out);
                case "finetune" -> finetune(rest, System.out);
                case "evaluate" -> evaluate(rest, System.out);
                case "predict" -> predict(rest, System.out);
                case "sample" -> sample(rest, System.out);
                case "colourise" -> ColourisedFolder.write(rest, System.out);
                default -> throw new IllegalArgumentException("unknown command '" + args[0]
                        + "'; expected train, finetune, evaluate, predict, sample or colourise");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("convnet: " + e.getMessage());
            System.exit(2);
        }
    }

    static void train(List<String> args, PrintStream out) throws IOException {
        Options o = new Options("train", args, Set.of("arch", "data", "val", "resize", "epochs", "batch", "lr", "optimizer",
                "momentum", "weight-decay", "schedule", "warmup", "augment", "threads", "seed", "limit", "out", "name"));
        Parallelism.setThreads(o.integer("threads", Runtime.getRuntime().availableProcessors()));
        long seed = o.integer("seed", 1);
        Network network = architecture(o.text("arch", "lenet5"), seed);
        new Initializer(Initializer.Scheme.HE, seed).initialise(network.graph());
        TrainingSets sets = TrainingSets.read(Path.of(o.text("data", FASHION_MNIST.toString())), o.text("val", null),
                network.input(), Resize.parse(o.text("resize", "stretch")), null, o.integer("limit", Integer.MAX_VALUE), seed, out);

        if (sets.train().classNames().size() != network.classes()) {
            // An architecture's head is sized to the data: a spec written for ten classes trains on a folder of three.
            network = TransferLearning.withNewHead(network, sets.train().classNames().size(), seed);
        }
        out.printf("Training %s (%d parameters)%n", o.text("arch", "lenet5"),
                network.parameters().stream().mapToInt(p -> p.value().size()).sum());
        Evaluation last = fit(network, sets, o, seed, out);
        Path data = Path.of(o.text("data", FASHION_MNIST.toString()));
        String arch = Path.of(o.text("arch", "lenet5")).getFileName().toString().replaceFirst("\\.net$", "");
        String name = (ImageFolder.isImageFolder(data) ? data.toAbsolutePath().normalize().getFileName().toString() : "fashion") + "-" + arch;
        save(new ModelFile(network, sets.normalisation(), sets.train().classNames(),
                new ModelInfo(o.text("name", name), 1, null, Instant.now(), Map.of()), sets.resize()), last,
                sets.train().size(), o.text("out", null), out);
    }

    /**
     * Transfer learning: a trained model's head replaced by one for the folder's classes (kept when they are
     * the model's own), its layers up to {@code --freeze-up-to} frozen (default {@code body}: all but the head), trained on
     * the folder with the model's normalisation and resize policy.
     */
    static void finetune(List<String> args, PrintStream out) throws IOException {
        Options o = new Options("finetune", args, Set.of("model", "data", "val", "freeze-up-to", "epochs", "batch", "lr",
                "optimizer", "momentum", "weight-decay", "schedule", "warmup", "augment", "threads", "seed", "limit", "out", "name"));
        Parallelism.setThreads(o.integer("threads", Runtime.getRuntime().availableProcessors()));
        long seed = o.integer("seed", 1);
        ModelFile base = ModelFile.read(Path.of(required(o, "model", "finetune")));
        TrainingSets sets = TrainingSets.read(Path.of(required(o, "data", "finetune")), o.text("val", null), base.network().input(),
                base.resize(), base.normalisation(), o.integer("limit", Integer.MAX_VALUE), seed, out);
        List<String> classes = sets.train().classNames();
        Network network = classes.equals(base.classNames()) ? base.network()
                : TransferLearning.withNewHead(base.network(), classes.size(), seed);
        TransferLearning.freezeUpTo(network, o.text("freeze-up-to", TransferLearning.BODY));
        Graph graph = network.graph();
        out.printf("Fine-tuning %s v%d: %s; %d of %d nodes frozen (through %s), %,d of %,d parameters trained%n",
                base.info().name(), base.info().version(), classes.equals(base.classNames()) ? "its own head"
                        : "a new head for " + classes.size() + " classes", graph.frozenNodes(), graph.nodes().size(),
                graph.frozenNodes() == 0 ? "none" : graph.nodes().get(graph.frozenNodes() - 1).name(),
                graph.trainableParameters().stream().mapToLong(p -> p.value().size()).sum(),
                graph.parameters().stream().mapToLong(p -> p.value().size()).sum());
        Evaluation last = fit(network, sets, o, seed, out);
        save(new ModelFile(network, base.normalisation(), classes, new ModelInfo(o.text("name", base.info().name()), 1, null,
                Instant.now(), Map.of()), base.resize()), last, sets.train().size(), o.text("out", null), out);
    }

    /** Trains {@code network} as the options say, showing progress; the last epoch's evaluation. */
    private static Evaluation fit(Network network, TrainingSets sets, Options o, long seed, PrintStream out) {
        Dataset train = sets.train();
        int epochs = o.integer("epochs", 10);
        int batch = o.integer("batch", 64);
        int stepsPerEpoch = (train.size() + batch - 1) / batch;
        float lr = o.number("lr", 0.05f);
        LearningRateSchedule schedule = switch (o.text("schedule", "cosine")) {
            case "constant" -> LearningRateSchedule.constant(lr);
            case "cosine" -> LearningRateSchedule.cosine(lr, epochs * stepsPerEpoch, 0f);
            case "step" -> LearningRateSchedule.stepDecay(lr, Math.max(1, epochs * stepsPerEpoch / 3), 0.1f);
            default -> throw new IllegalArgumentException("--schedule must be constant, cosine or step");
        };
        schedule = schedule.withWarmup(o.integer("warmup", 0));
        float momentum = o.number("momentum", 0.9f);
        float decay = o.number("weight-decay", 5e-4f);
        Optimizer optimizer = switch (o.text("optimizer", "sgd")) {
            case "sgd" -> new Sgd(momentum, false, decay);
            case "nesterov" -> new Sgd(momentum, true, decay);
            case "adam" -> Adam.adam(decay);
            case "adamw" -> Adam.adamW(decay);
            default -> throw new IllegalArgumentException("--optimizer must be sgd, nesterov, adam or adamw");
        };
        Augmentation augmentation = Augmentation.parse(o.text("augment", "none"));
        out.printf("On %d images, testing on %d; %d epochs of batch %d, %d threads%n", train.size(), sets.test().size(), epochs,
                batch, Parallelism.threads());
        ProgressBar bar = new ProgressBar(out);
        long start = System.nanoTime();
        Evaluation[] last = new Evaluation[1];
        Trainer trainer = new Trainer(network, sets.normalisation(), new Trainer.Config(epochs, batch, schedule, optimizer,
                augmentation, 0f, seed));
        bar.start();
        trainer.fit(train, sets.test(), new Trainer.Listener() {
            @Override
            public void step(int epoch, int step, int seen, int total, float loss) {
                bar.update(epoch, epochs, seen, total, loss);
            }

            @Override
            public void epoch(int epoch, double trainLoss, Evaluation evaluation) {
                out.printf("%n  epoch %d: train loss %.4f, test loss %.4f, test accuracy %.2f%% (%.0f s, %.0f s in all)%n",
                        epoch, trainLoss, evaluation.meanLoss(), 100 * evaluation.accuracy(), bar.elapsedSeconds(),
                        (System.nanoTime() - start) / 1e9);
                last[0] = evaluation;
                bar.start();
            }
        });
        return last[0];
    }

    /** Writes {@code model} with the last evaluation's accuracy and loss among its metrics, when {@code outFile} is given. */
    private static void save(ModelFile model, Evaluation last, int trainImages, String outFile, PrintStream out) throws IOException {
        if (outFile == null) {
            return;
        }
        ModelInfo info = model.info();
        model.withInfo(new ModelInfo(info.name(), info.version(), info.parentVersion(), info.createdAt(), Map.of(
                "testAccuracy", last.accuracy(), "testLoss", last.meanLoss(), "trainImages", (double) trainImages)))
                .write(Path.of(outFile));
        out.printf("Saved %s (%d bytes)%n", outFile, Files.size(Path.of(outFile)));
    }

    static void evaluate(List<String> args, PrintStream out) throws IOException {
        Options o = new Options("evaluate", args, Set.of("model", "data", "threads"));
        Parallelism.setThreads(o.integer("threads", Runtime.getRuntime().availableProcessors()));
        ModelFile model = ModelFile.read(Path.of(required(o, "model", "evaluate")));
        Path data = Path.of(o.text("data", FASHION_MNIST.toString()));
        Dataset test = ImageFolder.isImageFolder(data)
                ? ImageFolder.read(data, new ImageInput(model.network().input(), model.normalisation(), model.resize()),
                        model.classNames(), ImageFiles.available()).data()
                : Dataset.readIdx(data, "t10k", model.classNames());
        Evaluation evaluation = Evaluator.evaluate(model.network(), test, model.normalisation(), 256);
        out.printf("%s v%d on %d test images: accuracy %.2f%%, mean loss %.4f%n%n", model.info().name(),
                model.info().version(), evaluation.total(), 100 * evaluation.accuracy(), evaluation.meanLoss());
        out.print(evaluation.confusionTable());
    }

    static void predict(List<String> args, PrintStream out) throws IOException {
        Options o = new Options("predict", args, Set.of("model", "image", "top"));
        ModelFile model = ModelFile.read(Path.of(required(o, "model", "predict")));
        Path file = Path.of(required(o, "image", "predict"));
        ImageInput input = new ImageInput(model.network().input(), model.normalisation(), model.resize());
        Tensor logits = ServingNetwork.of(model.network()).logits(input.batch(ImageInput.decode(Files.readAllBytes(file), file.toString())));
        Tensor probabilities = SoftmaxCrossEntropy.softmax(logits);
        out.println(file + ":");
        for (int k : TopK.of(probabilities.data(), 0, model.classNames().size(), o.integer("top", 3))) {
            out.printf("  %-14s %6.2f%%%n", model.classNames().get(k), 100 * probabilities.data()[k]);
        }
    }

    private static String required(Options o, String key, String command) {
        String value = o.text(key, null);
        if (value == null) {
            throw new IllegalArgumentException(command + ": --" + key + " is required");
        }
        return value;
    }

    static void sample(List<String> args, PrintStream out) throws IOException {
        Options o = new Options("sample", args, Set.of("from", "train", "test", "out"));
        Path from = Path.of(o.text("from", FASHION_MNIST.toString()));
        Path to = Path.of(o.text("out", "sample"));
        Files.createDirectories(to);
        List<String> written = new ArrayList<>();
        for (String split : List.of("train", "t10k")) {
            Dataset data = Dataset.readIdx(from, split, Dataset.FASHION_MNIST_CLASSES)
                    .head(o.integer(split.equals("train") ? "train" : "test", 1000));
            byte[] labels = new byte[data.size()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = (byte) data.labels()[i];
            }
            new Idx(new int[] {data.size(), data.height(), data.width()}, data.pixels())
                    .writeGzip(to.resolve(split + "-images-idx3-ubyte.gz"));
            new Idx(new int[] {data.size()}, labels).writeGzip(to.resolve(split + "-labels-idx1-ubyte.gz"));
            written.add(data.size() + " " + split);
        }
        out.println("Wrote " + String.join(" and ", written) + " images to " + to);
    }

    static Network architecture(String name, long seed) throws IOException {
        Path file = Path.of(name);
        return name.endsWith(".net") && Files.isRegularFile(file)
                ? NetworkSpec.parse(Files.readString(file), seed)
                : NetworkSpec.builtIn(name, seed);
    }
}
