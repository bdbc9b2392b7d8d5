package pipeline.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import pipeline.convnet.data.Normalisation;
import pipeline.convnet.data.Resize;
import pipeline.convnet.layer.Softmax;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.model.ModelInfo;
import pipeline.convnet.net.Graph;
import pipeline.convnet.net.Network;
import pipeline.convnet.net.NetworkSpec;
import pipeline.convnet.net.SpecWriter;
import pipeline.convnet.tensor.Shapes;

/**
 * ONNX classifiers as engine models: one image input {@code [batch, C, H, W]}, one output of class scores
 * {@code [batch, K]}. The graph is stored as spec text ({@link SpecWriter}) with its weights, like any model.
 */
public final class OnnxModels {

    /** ImageNet's channel statistics, which torchvision's models expect. */
    public static final Normalisation IMAGENET = new Normalisation(new float[] {0.485f, 0.456f, 0.406f},
            new float[] {0.229f, 0.224f, 0.225f});

    private OnnxModels() {
    }

    /**
     * Imports an ONNX classifier. A final Softmax or LogSoftmax over the classes is left out: the engine's
     * output is logits, which serving turns into scores itself.
     *
     * @param classNames    one per output, or null for the names in the file's metadata (as this project
     *                      exports them), else "0", "1", …
     * @param normalisation how pixels become the model's input, or null for the file's metadata, else none
     * @throws IOException                 when the file is not ONNX
     * @throws UnsupportedModelException when the model uses what the engine does not support
     * @throws IllegalArgumentException   when it is not an image classifier, or the class names do not fit it
     */
    public static ModelFile importClassifier(Path file, List<String> classNames, Normalisation normalisation, String name)
            throws IOException {
        return importClassifier(file, classNames, normalisation, null, name);
    }

    /**
     * {@link #importClassifier(Path, List, Normalisation, String)} with how images are resized to its input:
     * {@code resize}, or when it is null the file's metadata, else stretched whole.
     */
    public static ModelFile importClassifier(Path file, List<String> classNames, Normalisation normalisation, Resize resize,
                                             String name) throws IOException {
        OnnxImporter.Imported imported = OnnxImporter.importModel(file, true);
        Graph graph = imported.graph();
        if (graph.inputs().length != 1 || graph.outputs().length != 1) {
            throw new IllegalArgumentException(file + " has " + graph.inputs().length + " inputs and " + graph.outputs().length
                    + " outputs; an image classifier has one of each");
        }
        int[] in = imported.inputShapes().getFirst();
        if (in.length != 4) {
            throw new IllegalArgumentException(file + " takes input " + Shapes.toString(in) + "; an image classifier takes"
                    + " [batch, C, H, W]");
        }
        int output = graph.outputs()[0];
        if (graph.producer(output) != null && graph.producer(output).op() instanceof Softmax) {
            output = graph.producer(output).inputs()[0];
        }
        int[] logits = graph.shapes(in)[output];
        if (logits.length != 2) {
            throw new IllegalArgumentException(file + " gives " + Shapes.toString(logits) + " per batch; a classifier gives"
                    + " class scores [batch, K]");
        }
        int[] input = {in[1], in[2], in[3]};
        String spec = "# imported from " + file.getFileName() + "\n" + SpecWriter.write(graph, input, output);
        Network network = NetworkSpec.parse(spec, 1);
        copyState(Network.state(graph), network.state());
        List<String> classes = classNames != null ? classNames : metadataClasses(imported.metadata(), logits[1]);
        if (classes.size() != logits[1]) {
            throw new IllegalArgumentException(classes.size() + " class names for a model with " + logits[1] + " outputs");
        }
        Normalisation norm = normalisation != null ? normalisation : metadataNormalisation(imported.metadata(), in[1]);
        Resize policy = resize != null ? resize : Resize.parse(imported.metadata().getOrDefault("resize", "stretch"));
        return new ModelFile(network, norm, classes, new ModelInfo(name, 1, null, Instant.now(), Map.of()), policy);
    }

    /**
     * An ONNX classifier imported as a command line describes it: {@code classesFile} (one name per line),
     * {@code normalise} and {@code resize} as {@link #normalisation} and {@link Resize#parse} read them, each
     * null for the file's metadata; named after the file.
     */
    public static ModelFile importAsCommanded(Path file, String classesFile, String normalise, String resize) throws IOException {
        return importClassifier(file, classesFile == null ? null : classNames(Path.of(classesFile)),
                normalise == null ? null : normalisation(normalise, inputChannels(file)),
                resize == null ? null : Resize.parse(resize), file.getFileName().toString().replaceFirst("\\.onnx$", ""));
    }

    /** The input channels of an ONNX image model (3 when the file leaves them open), for a normalisation given as one mean and one std. */
    static int inputChannels(Path onnx) throws IOException {
        var dims = OnnxImporter.parse(onnx).getGraph().getInput(0).getType().getTensorType().getShape().getDimList();
        return dims.size() == 4 && dims.get(1).hasDimValue() ? (int) dims.get(1).getDimValue() : 3;
    }

    private static void copyState(List<Network.NamedTensor> from, List<Network.NamedTensor> to) {
        Map<String, Network.NamedTensor> byName = new HashMap<>();
        from.forEach(t -> byName.put(t.name(), t));
        for (Network.NamedTensor t : to) {
            Network.NamedTensor source = byName.get(t.name());
            if (source == null || source.values().length != t.values().length) {
                throw new IllegalStateException("the written spec has tensor " + t.name() + " that the import does not");
            }
            System.arraycopy(source.values(), 0, t.values(), 0, t.values().length);
        }
    }

    private static List<String> metadataClasses(Map<String, String> metadata, int k) {
        String classes = metadata.get("classes");
        if (classes != null) {
            return List.of(classes.split("\n", -1));
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            names.add(Integer.toString(i));
        }
        return names;
    }

    private static Normalisation metadataNormalisation(Map<String, String> metadata, int channels) {
        String mean = metadata.get("normalisation.mean");
        String std = metadata.get("normalisation.std");
        if (mean != null && std != null) {
            return new Normalisation(parse(mean), parse(std));
        }
        return Normalisation.none(channels);
    }

    /**
     * {@code imagenet}, {@code none}, or {@code mean,std} (one pair for every channel) or {@code m1,…,mC,s1,…,sC}.
     *
     * @throws IllegalArgumentException naming what was given and what was expected
     */
    public static Normalisation normalisation(String text, int channels) {
        return switch (text) {
            case "imagenet" -> IMAGENET;
            case "none" -> Normalisation.none(channels);
            default -> {
                float[] values;
                try {
                    values = parse(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--normalise takes imagenet, none, or mean,std numbers; got '" + text + "'");
                }
                if (values.length == 2) {
                    float[] mean = new float[channels];
                    float[] std = new float[channels];
                    Arrays.fill(mean, values[0]);
                    Arrays.fill(std, values[1]);
                    yield new Normalisation(mean, std);
                }
                if (values.length != 2 * channels) {
                    throw new IllegalArgumentException("--normalise takes a mean and a std, or " + channels + " means then "
                            + channels + " stds; got " + values.length + " numbers");
                }
                yield new Normalisation(Arrays.copyOf(values, channels),
                        Arrays.copyOfRange(values, channels, 2 * channels));
            }
        };
    }

    private static float[] parse(String csv) {
        String[] parts = csv.split(",");
        float[] values = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = Float.parseFloat(parts[i].strip());
        }
        return values;
    }

    /** Class names from a file, one per line; blank lines at the end are ignored. */
    public static List<String> classNames(Path file) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        while (!lines.isEmpty() && lines.getLast().isBlank()) {
            lines.removeLast();
        }
        return lines;
    }
}
