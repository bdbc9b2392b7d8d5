package pipeline.convnet.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import pipeline.convnet.kernel.Broadcast;
import pipeline.convnet.kernel.Pooling;
import pipeline.convnet.layer.Activation;
import pipeline.convnet.layer.Arithmetic;
import pipeline.convnet.layer.AvgPool2d;
import pipeline.convnet.layer.BatchNorm2d;
import pipeline.convnet.layer.Concat;
import pipeline.convnet.layer.Constant;
import pipeline.convnet.layer.Conv2d;
import pipeline.convnet.layer.Dropout;
import pipeline.convnet.layer.Flatten;
import pipeline.convnet.layer.GlobalAvgPool;
import pipeline.convnet.layer.Layer;
import pipeline.convnet.layer.Linear;
import pipeline.convnet.layer.LocalResponseNorm;
import pipeline.convnet.layer.MatMul;
import pipeline.convnet.layer.MaxPool2d;
import pipeline.convnet.layer.Op;
import pipeline.convnet.layer.PRelu;
import pipeline.convnet.layer.Pad;
import pipeline.convnet.layer.ReduceMean;
import pipeline.convnet.layer.Reshape;
import pipeline.convnet.layer.Slice;
import pipeline.convnet.layer.Softmax;
import pipeline.convnet.layer.Transpose;
import pipeline.convnet.tensor.Shapes;
import pipeline.convnet.tensor.Tensor;

/**
 * Networks declared as text, one layer per line, {@code #} for comments:
 *
 * <pre>
 * input 1 28 28                         channels, height, width (first line)
 * conv 32 kernel=3 [stride=1 padding=0 dilation=1 groups=1 bias=true]   kernel, stride, padding, dilation: K or KH,KW
 * maxpool kernel=2 [stride=kernel padding=0 dilation=1 ceil=false]   kernel, stride, dilation: K or KH,KW;
 *                                       padding: P, PH,PW or top,left,bottom,right; ceil: round sizes up
 * avgpool … [count-padding=true]        as maxpool; whether padding counts in the average
 * global-avgpool
 * relu | relu6 | leaky-relu [slope=0.01] | sigmoid | tanh | hard-swish
 * clip [min=-inf max=inf] | hard-sigmoid [alpha=0.2 beta=0.5] | softmax [axis=-1] | log-softmax [axis=-1]
 * batchnorm [eps=1e-5 momentum=0.1] | dropout 0.5 | flatten | linear 120 [bias=true]
 * reshape 0,-1                          sizes; 0 keeps the input's size on that axis, -1 takes the rest
 * transpose 0,2,3,1                     output axis i is input axis perm[i]
 * pad 0,0,1,1,0,0,1,1 [value=0]         before each axis, then after each axis
 * slice starts=0,1 ends=4,-1 [axes=0,1 steps=1,1]   a strided window (negative positions count from the end)
 * reduce-mean [axes=2,3 keepdims=true]  the mean over axes (all when none are named)
 * prelu [shape=C,1,1]                   leaky ReLU with learned slopes
 * lrn [size=5 alpha=1e-4 beta=0.75 bias=1]   local response normalisation across channels
 * residual 64 [stride=1]                basic block: conv3×3-bn-relu-conv3×3-bn, plus the input
 *                                       (1×1 conv + bn when shape changes), then relu
 * inverted-residual 24 [expand=6 stride=1]   MobileNetV2's block: 1×1 conv to expand·C channels-bn-relu6
 *                                       (none when expand=1), 3×3 depthwise conv-bn-relu6, 1×1 conv-bn;
 *                                       plus the input when stride is 1 and channels are kept; no activation after
 * add from=a,b | sub … | mul … | div …  a op b, element by element, with broadcasting
 * concat from=a,b,… [axis=1]            the inputs joined along an axis (channels by default)
 * matmul from=a,b                       matrix product, numpy's rules
 * const shape=1,3,1,1 [value=0]         a fixed tensor (a model file holds its values)
 * repeat 3                              the lines up to the matching "end", 3 times; blocks nest,
 *   …                                   so INPUT → [[CONV→ReLU]*N → POOL?]*M → [FC→ReLU]*K → FC
 * end                                   is declared as written
 * </pre>
 * Channel and feature counts flow from the input, so a line only names what it produces.
 *
 * <p>A line reads the output of the line before it. Branches are declared by name: {@code name: conv …}
 * names a line's output, and {@code from=name} (or {@code from=a,b} for several inputs) makes a line read
 * named outputs instead; {@code input} names the network's input. A later line may reuse a name (in a
 * {@code repeat} block, each time round); {@code from=} reads the latest. So a SqueezeNet fire module is
 * <pre>
 * conv 16 kernel=1
 * squeeze: relu
 * conv 64 kernel=1
 * e1: relu
 * conv 64 kernel=3 padding=1 from=squeeze
 * e3: relu
 * concat from=e1,e3
 * </pre>
 * The network's output, the logits, is the last line's; what the last line reads is the embedding.
 */
public final class NetworkSpec {

    private NetworkSpec() {
    }

    /** The specs shipped with the engine. */
    public static final List<String> BUILT_IN = List.of("lenet5", "vgg-small", "resnet20", "resnet18",
            "mobilenetv2", "alexnet", "vgg16", "vgg-rgb64", "vgg-rgb224");

    /** One of the specs shipped with the engine ({@link #BUILT_IN}). */
    public static Network builtIn(String name, long seed) {
        try (InputStream in = NetworkSpec.class.getResourceAsStream("/pipeline/convnet/specs/" + name + ".net")) {
            if (in == null) {
                throw new IllegalArgumentException("no built-in architecture '" + name + "'; expected one of " + BUILT_IN);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), seed);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the built-in architecture " + name, e);
        }
    }

    /**
     * Builds the network the text declares, with zero weights (initialise them afterwards).
     *
     * @param seed seeds dropout masks
     * @throws IllegalArgumentException naming the line and what was wrong with it
     */
    public static Network parse(String text, long seed) {
        List<Line> lines = lines(text);
        if (lines.isEmpty() || !lines.getFirst().word(0).equals("input")) {
            throw new IllegalArgumentException("line 1: a network spec starts with 'input C H W'");
        }
        Line first = lines.getFirst();
        int[] input = {first.intArg(1, "channels"), first.intArg(2, "height"), first.intArg(3, "width")};
        first.requireWords(4);
        Builder builder = new Builder(new int[] {1, input[0], input[1], input[2]}, seed);
        builder.addAll(expand(lines.subList(1, lines.size())));
        return new Network(text, input, builder.build());
    }

    /**
     * The operators a spec uses and how many times each (repeats unrolled), by the words that declare
     * them ({@code conv → 20, batchnorm → 19, add → 9, …}): what a model is made of, without building it.
     *
     * @throws IllegalArgumentException when a {@code repeat} block is not closed
     */
    public static SortedMap<String, Integer> operators(String text) {
        List<Line> lines = lines(text);
        SortedMap<String, Integer> counts = new TreeMap<>();
        for (Line line : expand(lines.subList(Math.min(1, lines.size()), lines.size()))) {
            counts.merge(line.withoutLabel().word(0), 1, Integer::sum);
        }
        return counts;
    }

    /** The lines that say something: comments and blank lines dropped, numbered as in the text. */
    private static List<Line> lines(String text) {
        List<Line> lines = new ArrayList<>();
        String[] raw = text.split("\n", -1);
        for (int i = 0; i < raw.length; i++) {
            String content = raw[i].replaceFirst("#.*", "").strip();
            if (!content.isEmpty()) {
                lines.add(new Line(i + 1, content));
            }
        }
        return lines;
    }

    /** Unrolls {@code repeat N … end} blocks. */
    private static List<Line> expand(List<Line> lines) {
        List<Line> out = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            Line line = lines.get(i);
            if (line.word(0).equals("repeat")) {
                int times = line.intArg(1, "count");
                int depth = 1;
                int j = i + 1;
                while (j < lines.size() && depth > 0) {
                    depth += lines.get(j).word(0).equals("repeat") ? 1 : lines.get(j).word(0).equals("end") ? -1 : 0;
                    j++;
                }
                if (depth > 0) {
                    throw new IllegalArgumentException("line " + line.number + ": 'repeat' has no matching 'end'");
                }
                List<Line> body = expand(lines.subList(i + 1, j - 1));
                for (int t = 0; t < times; t++) {
                    out.addAll(body);
                }
                i = j;
            } else if (line.word(0).equals("end")) {
                throw new IllegalArgumentException("line " + line.number + ": 'end' without a 'repeat'");
            } else {
                out.add(line);
                i++;
            }
        }
        return out;
    }

    /**
     * Adds nodes line by line, tracking each value's shape (batch 1) so a line knows its input's size.
     * Nodes are named as the layers of a chain were: {@code layerN} for the N-th layer, and inside a
     * block {@code layerN.main.layerK} and {@code layerN.shortcut.layerK}, so a model's tensors keep
     * their names ({@link Network#state}). A labelled line's node takes the label instead ({@code stem},
     * {@code stem.main.layer1}; a label used again, {@code stem_2}); the N still counts it.
     */
    private static final class Builder {
        final Graph.Builder graph = new Graph.Builder();
        final Map<Integer, int[]> shapes = new HashMap<>();
        /** Values by the names lines gave them ({@code name: …}); "input" is the network's input. */
        final Map<String, Integer> named = new HashMap<>();
        /** The value the next line reads unless it says {@code from=}: the last line's output. */
        int current;
        /** Layers so far at the top level: the N of the next {@code layerN}. */
        int layers;
        /** How often each label has named a node. */
        final Map<String, Integer> labelUses = new HashMap<>();
        long seed;

        Builder(int[] shape, long seed) {
            this.seed = seed;
            current = graph.input("input");
            shapes.put(current, shape);
            named.put("input", current);
        }

        void addAll(List<Line> lines) {
            for (Line line : lines) {
                try {
                    current = add(line.withoutLabel(), inputsOf(line), line.label());
                    if (line.label() != null) {
                        named.put(line.label(), current);
                    }
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("line " + line.number + " (" + line.text + "): " + e.getMessage(), e);
                }
            }
        }

        Graph build() {
            return graph.build(current);
        }

        /** The values a line reads: those {@code from=} names, else the last line's output. */
        private int[] inputsOf(Line line) {
            String from = line.options().get("from");
            if (from == null) {
                return new int[] {current};
            }
            return Arrays.stream(from.split(",", -1)).mapToInt(name -> {
                Integer value = named.get(name);
                if (value == null) {
                    throw new IllegalArgumentException("from=" + from + ": no line before this one is named '" + name
                            + "'; name a line's output with 'name: ' before it" + (named.size() > 1 ? " (named so far: "
                            + named.keySet().stream().sorted().toList() + ")" : ""));
                }
                return value;
            }).toArray();
        }

        /** Adds the nodes a line declares, reading {@code in} and named after {@code label} if not null; returns its output. */
        private int add(Line line, int[] in, String label) {
            String kind = line.word(0);
            String name = nextName(label);
            return switch (kind) {
                case "residual" -> residual(name, label, one(kind, in), line.intArg(1, "output channels"), line.option("stride", 1));
                case "inverted-residual" -> invertedResidual(name, one(kind, in), line.intArg(1, "output channels"),
                        line.option("expand", 6), line.option("stride", 1));
                case "add", "sub", "mul", "div" -> {
                    if (in.length != 2) {
                        throw new IllegalArgumentException(kind + " takes two inputs, from=A,B; got " + in.length);
                    }
                    yield node(name, new Arithmetic(Broadcast.Operator.valueOf(kind.toUpperCase())), in);
                }
                case "concat" -> node(name, new Concat(line.option("axis", 1)), in);
                case "matmul" -> {
                    if (in.length != 2) {
                        throw new IllegalArgumentException("matmul takes two inputs, from=A,B; got " + in.length);
                    }
                    yield node(name, new MatMul(), in);
                }
                case "const" -> {
                    Tensor value = Tensor.zeros(line.ints("shape", new int[0], 0, 1, 2, 3, 4, 5, 6));
                    Arrays.fill(value.data(), line.floatOption("value", 0f));
                    yield node(name, new Constant(value));
                }
                default -> node(name, layer(line, shapes.get(one(kind, in))), in);
            };
        }

        /** The name of the next top-level layer: {@code layerN}, or the label (made unique) of a labelled line. */
        private String nextName(String label) {
            layers++;
            if (label == null) {
                return "layer" + layers;
            }
            if (label.equals("input") || !label.matches("[^,=:]+")) {
                throw new IllegalArgumentException("'" + label + "' cannot name a line: a label is not 'input' and has no ',', '=' or ':'");
            }
            int uses = labelUses.merge(label, 1, Integer::sum);
            return uses == 1 ? label : label + "_" + uses;
        }

        private static int one(String kind, int[] in) {
            if (in.length != 1) {
                throw new IllegalArgumentException(kind + " takes one input; from= names " + in.length);
            }
            return in[0];
        }

        /** A node reading {@code in}; returns its output, whose shape it checks and records. */
        private int node(String name, Op op, int... in) {
            List<int[]> inShapes = Arrays.stream(in).mapToObj(shapes::get).toList();
            int[] shape = op.outputShapes(inShapes).getFirst();
            int out = graph.add(name, op, in);
            shapes.put(out, shape);
            return out;
        }

        /** {@code layers} in a chain from {@code in}, named {@code prefix1, prefix2, …}; returns the last output. */
        private int chain(String prefix, List<Layer> layers, int in) {
            int x = in;
            for (int k = 0; k < layers.size(); k++) {
                x = node(prefix + (k + 1), layers.get(k), x);
            }
            return x;
        }

        private Layer layer(Line line, int[] shape) {
            String kind = line.word(0);
            return switch (kind) {
                case "conv" -> {
                    int[] kernel = pair(line.ints("kernel", new int[] {-1}, 1, 2), "kernel");
                    if (kernel[0] < 1) {
                        throw new IllegalArgumentException("conv needs kernel=K");
                    }
                    int[] stride = pair(line.ints("stride", new int[] {1}, 1, 2), "stride");
                    int[] padding = pair(line.ints("padding", new int[] {0}, 1, 2), "padding");
                    int[] dilation = pair(line.ints("dilation", new int[] {1}, 1, 2), "dilation");
                    yield new Conv2d(channels(shape), line.intArg(1, "output channels"), kernel[0], kernel[1], stride[0],
                            stride[1], padding[0], padding[1], dilation[0], dilation[1], line.option("groups", 1),
                            line.flag("bias", true));
                }
                case "maxpool", "avgpool" -> pooling(kind, line);
                case "global-avgpool" -> new GlobalAvgPool();
                case "relu" -> new Activation.Relu();
                case "relu6" -> new Activation.Relu6();
                case "leaky-relu" -> new Activation.LeakyRelu(line.floatOption("slope", 0.01f));
                case "sigmoid" -> new Activation.Sigmoid();
                case "tanh" -> new Activation.Tanh();
                case "batchnorm" -> new BatchNorm2d(channels(shape), line.floatOption("eps", 1e-5f), line.floatOption("momentum", 0.1f));
                case "dropout" -> new Dropout(line.floatArg(1, "probability"), seed++);
                case "flatten" -> new Flatten();
                case "reshape" -> new Reshape(line.ints(1, "sizes"));
                case "transpose" -> new Transpose(line.ints(1, "axes"));
                case "softmax", "log-softmax" -> new Softmax(line.option("axis", -1), kind.equals("log-softmax"));
                case "pad" -> new Pad(line.ints(1, "sizes"), line.floatOption("value", 0f));
                case "clip" -> new Activation.Clip(line.floatOption("min", Float.NEGATIVE_INFINITY),
                        line.floatOption("max", Float.POSITIVE_INFINITY));
                case "hard-sigmoid" -> new Activation.HardSigmoid(line.floatOption("alpha", 0.2f), line.floatOption("beta", 0.5f));
                case "hard-swish" -> new Activation.HardSwish();
                case "reduce-mean" -> new ReduceMean(line.ints("axes", new int[0], 0, 1, 2, 3, 4, 5, 6), line.flag("keepdims", true));
                case "slice" -> {
                    int[] starts = line.ints("starts", new int[0], 1, 2, 3, 4, 5, 6);
                    int n = starts.length;
                    int[] axes = line.ints("axes", IntStream.range(0, n).toArray(), n);
                    int[] steps = line.ints("steps", IntStream.range(0, n).map(i -> 1).toArray(), n);
                    yield new Slice(starts, line.ints("ends", new int[0], n), axes, steps);
                }
                case "prelu" -> new PRelu(line.ints("shape", new int[] {1}, 1, 2, 3, 4));
                case "lrn" -> new LocalResponseNorm(line.option("size", 5), line.floatOption("alpha", 1e-4f),
                        line.floatOption("beta", 0.75f), line.floatOption("bias", 1f));
                case "linear" -> {
                    if (shape.length != 2) {
                        throw new IllegalArgumentException("linear needs [N, F] input but gets " + Shapes.toString(shape)
                                + "; put 'flatten' or 'global-avgpool' before it");
                    }
                    yield new Linear(shape[1], line.intArg(1, "output features"), line.flag("bias", true));
                }
                default -> throw new IllegalArgumentException("unknown layer '" + kind + "'; expected conv, maxpool, avgpool,"
                        + " global-avgpool, relu, relu6, leaky-relu, prelu, sigmoid, tanh, clip, hard-sigmoid, hard-swish, softmax,"
                        + " log-softmax, batchnorm, lrn, dropout, flatten, reshape, transpose, pad, slice, reduce-mean, linear,"
                        + " residual, inverted-residual, add, sub, mul, div, matmul, concat, const, repeat or end");
            };
        }

        /**
         * A pooling line: kernel, stride and dilation as {@code K} or {@code KH,KW}; padding as {@code P},
         * {@code PH,PW} or {@code top,left,bottom,right}; {@code ceil}; for average pooling {@code count-padding}.
         */
        private static Layer pooling(String kind, Line line) {
            int[] kernel = pair(line.ints("kernel", new int[] {2}, 1, 2), "kernel");
            int[] stride = pair(line.ints("stride", kernel, 1, 2), "stride");
            int[] dilation = pair(line.ints("dilation", new int[] {1}, 1, 2), "dilation");
            int[] pad = line.ints("padding", new int[] {0}, 1, 2, 4);
            int[] before = pad.length == 4 ? new int[] {pad[0], pad[1]} : pair(pad, "padding");
            int[] after = pad.length == 4 ? new int[] {pad[2], pad[3]} : before;
            Pooling.Slide rows = new Pooling.Slide(kernel[0], stride[0], dilation[0], before[0], after[0]);
            Pooling.Slide cols = new Pooling.Slide(kernel[1], stride[1], dilation[1], before[1], after[1]);
            boolean ceil = line.flag("ceil", false);
            return kind.equals("maxpool") ? new MaxPool2d(rows, cols, ceil)
                    : new AvgPool2d(rows, cols, ceil, line.flag("count-padding", true));
        }

        /** {@code [h, w]} from one value for both or two values. */
        private static int[] pair(int[] values, String what) {
            return values.length == 1 ? new int[] {values[0], values[0]} : values;
        }

        /**
         * The basic block: conv3×3-bn-relu-conv3×3-bn, plus the input (through a 1×1 conv + bn when the
         * shape changes), then relu.
         */
        private int residual(String block, String label, int in, int out, int stride) {
            int channels = channels(shapes.get(in));
            int main = chain(block + ".main.layer", List.of(
                    Conv2d.square(channels, out, 3, stride, 1, 1, 1, false), new BatchNorm2d(out), new Activation.Relu(),
                    Conv2d.square(out, out, 3, 1, 1, 1, 1, false), new BatchNorm2d(out)), in);
            int shortcut = stride == 1 && channels == out ? in : chain(block + ".shortcut.layer",
                    List.of(Conv2d.square(channels, out, 1, stride, 0, 1, 1, false), new BatchNorm2d(out)), in);
            int sum = node(block, new Arithmetic(Broadcast.Operator.ADD), main, shortcut);
            layers++;
            return node(label == null ? "layer" + layers : block + ".relu", new Activation.Relu(), sum);
        }

        /** MobileNetV2's inverted residual with a linear bottleneck (Sandler et al. 2018), as torchvision builds it. */
        private int invertedResidual(String block, int in, int out, int expand, int stride) {
            if (expand < 1) {
                throw new IllegalArgumentException("expand must be 1 or more, got " + expand);
            }
            if (stride != 1 && stride != 2) {
                throw new IllegalArgumentException("stride must be 1 or 2, got " + stride);
            }
            int channels = channels(shapes.get(in));
            int hidden = channels * expand;
            List<Layer> main = new ArrayList<>();
            if (expand != 1) {
                main.addAll(List.of(Conv2d.square(channels, hidden, 1, 1, 0, 1, 1, false), new BatchNorm2d(hidden),
                        new Activation.Relu6()));
            }
            main.addAll(List.of(
                    Conv2d.square(hidden, hidden, 3, stride, 1, 1, hidden, false), new BatchNorm2d(hidden), new Activation.Relu6(),
                    Conv2d.square(hidden, out, 1, 1, 0, 1, 1, false), new BatchNorm2d(out)));
            boolean residual = stride == 1 && channels == out;
            int result = chain(block + (residual ? ".main.layer" : ".layer"), main, in);
            return residual ? node(block, new Arithmetic(Broadcast.Operator.ADD), result, in) : result;
        }

        private static int channels(int[] shape) {
            if (shape.length != 4) {
                throw new IllegalArgumentException("needs image input [N, C, H, W] but gets " + Shapes.toString(shape));
            }
            return shape[1];
        }
    }

    /** One meaningful line: an optional {@code name:} label, words and {@code key=value} options. */
    private record Line(int number, String text) {

        /** The name the line gives its output ({@code name: conv …}), or null. */
        String label() {
            String first = text.split("\\s+")[0];
            return first.endsWith(":") && first.length() > 1 ? first.substring(0, first.length() - 1) : null;
        }

        /** The line without its label. */
        Line withoutLabel() {
            return label() == null ? this : new Line(number, text.substring(text.indexOf(':') + 1).strip());
        }

        String word(int i) {
            String[] words = words();
            return i < words.length ? words[i] : "";
        }

        String[] words() {
            return text.split("\\s+");
        }

        void requireWords(int count) {
            if (words().length != count) {
                throw new IllegalArgumentException("line " + number + " (" + text + "): expected " + (count - 1) + " values");
            }
        }

        int intArg(int i, String what) {
            try {
                return Integer.parseInt(word(i));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("line " + number + " (" + text + "): expected " + what
                        + " as a whole number, got '" + word(i) + "'");
            }
        }

        float floatArg(int i, String what) {
            try {
                return Float.parseFloat(word(i));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("line " + number + " (" + text + "): expected " + what
                        + " as a number, got '" + word(i) + "'");
            }
        }

        Map<String, String> options() {
            Map<String, String> options = new HashMap<>();
            for (String word : words()) {
                int eq = word.indexOf('=');
                if (eq > 0) {
                    options.put(word.substring(0, eq), word.substring(eq + 1));
                }
            }
            return options;
        }

        int option(String key, int fallback) {
            String value = options().get(key);
            try {
                return value == null ? fallback : Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a whole number, got '" + value + "'");
            }
        }

        /** Word {@code i} as a comma-separated list of whole numbers ({@code 0,-1}). */
        int[] ints(int i, String what) {
            try {
                return Arrays.stream(word(i).split(",", -1)).mapToInt(Integer::parseInt).toArray();
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected " + what + " as whole numbers separated by commas, got '"
                        + word(i) + "'");
            }
        }

        /** A comma-separated list of whole numbers, of one of the {@code counts} lengths. */
        int[] ints(String key, int[] fallback, int... counts) {
            String value = options().get(key);
            if (value == null) {
                return fallback;
            }
            String[] parts = value.split(",", -1);
            int[] values = new int[parts.length];
            try {
                for (int i = 0; i < parts.length; i++) {
                    values[i] = Integer.parseInt(parts[i]);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be whole numbers separated by commas, got '" + value + "'");
            }
            if (Arrays.stream(counts).noneMatch(c -> c == values.length)) {
                throw new IllegalArgumentException(key + " takes " + Arrays.stream(counts).mapToObj(Integer::toString)
                        .collect(Collectors.joining(" or ")) + " values, got " + values.length + " ('" + value + "')");
            }
            return values;
        }

        float floatOption(String key, float fallback) {
            String value = options().get(key);
            try {
                return value == null ? fallback : Float.parseFloat(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a number, got '" + value + "'");
            }
        }

        boolean flag(String key, boolean fallback) {
            String value = options().get(key);
            if (value == null) {
                return fallback;
            }
            if (!value.equals("true") && !value.equals("false")) {
                throw new IllegalArgumentException(key + " must be true or false, got '" + value + "'");
            }
            return Boolean.parseBoolean(value);
        }
    }
}
