package pipeline.convnet.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import pipeline.convnet.kernel.Pooling;
import pipeline.convnet.layer.Activation;
import pipeline.convnet.layer.AvgPool2d;
import pipeline.convnet.layer.BatchNorm2d;
import pipeline.convnet.layer.Conv2d;
import pipeline.convnet.layer.Dropout;
import pipeline.convnet.layer.Flatten;
import pipeline.convnet.layer.GlobalAvgPool;
import pipeline.convnet.layer.Layer;
import pipeline.convnet.layer.Linear;
import pipeline.convnet.layer.MaxPool2d;
import pipeline.convnet.layer.Residual;
import pipeline.convnet.layer.Sequential;
import pipeline.convnet.tensor.Shapes;

/**
 * Networks declared as text, one layer per line, {@code #} for comments:
 *
 * <pre>
 * input 1 28 28                         channels, height, width (first line)
 * conv 32 kernel=3 [stride=1 padding=0 dilation=1 groups=1 bias=true]
 * maxpool kernel=2 [stride=kernel padding=0 dilation=1 ceil=false]   kernel, stride, dilation: K or KH,KW;
 *                                       padding: P, PH,PW or top,left,bottom,right; ceil: round sizes up
 * avgpool … [count-padding=true]        as maxpool; whether padding counts in the average
 * global-avgpool
 * relu | relu6 | leaky-relu [slope=0.01] | sigmoid | tanh
 * batchnorm | dropout 0.5 | flatten | linear 120 [bias=true]
 * residual 64 [stride=1]                basic block: conv3×3-bn-relu-conv3×3-bn, plus the input
 *                                       (1×1 conv + bn when shape changes), then relu
 * inverted-residual 24 [expand=6 stride=1]   MobileNetV2's block: 1×1 conv to expand·C channels-bn-relu6
 *                                       (none when expand=1), 3×3 depthwise conv-bn-relu6, 1×1 conv-bn;
 *                                       plus the input when stride is 1 and channels are kept; no activation after
 * repeat 3                              the lines up to the matching "end", 3 times; blocks nest,
 *   …                                   so INPUT → [[CONV→ReLU]*N → POOL?]*M → [FC→ReLU]*K → FC
 * end                                   is declared as written
 * </pre>
 * Channel and feature counts flow from the input, so a line only names what it produces.
 */
public final class NetworkSpec {

    private NetworkSpec() {
    }

    /** The specs shipped with the engine. */
    public static final List<String> BUILT_IN = List.of("lenet5", "vgg-small", "resnet20", "resnet18",
            "mobilenetv2");

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
        List<Line> lines = new ArrayList<>();
        String[] raw = text.split("\n", -1);
        for (int i = 0; i < raw.length; i++) {
            String content = raw[i].replaceFirst("#.*", "").strip();
            if (!content.isEmpty()) {
                lines.add(new Line(i + 1, content));
            }
        }
        if (lines.isEmpty() || !lines.getFirst().word(0).equals("input")) {
            throw new IllegalArgumentException("line 1: a network spec starts with 'input C H W'");
        }
        Line first = lines.getFirst();
        int[] input = {first.intArg(1, "channels"), first.intArg(2, "height"), first.intArg(3, "width")};
        first.requireWords(4);
        Builder builder = new Builder(new int[] {1, input[0], input[1], input[2]}, seed);
        builder.addAll(expand(lines.subList(1, lines.size())));
        return new Network(text, input, new Sequential(builder.layers));
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

    /** Adds layers line by line, tracking the shape so each line knows its input size. */
    private static final class Builder {
        final List<Layer> layers = new ArrayList<>();
        int[] shape;
        long seed;

        Builder(int[] shape, long seed) {
            this.shape = shape;
            this.seed = seed;
        }

        void addAll(List<Line> lines) {
            for (Line line : lines) {
                try {
                    for (Layer layer : build(line)) {
                        shape = layer.outputShape(shape);
                        layers.add(layer);
                    }
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("line " + line.number + " (" + line.text + "): " + e.getMessage(), e);
                }
            }
        }

        private List<Layer> build(Line line) {
            String kind = line.word(0);
            return switch (kind) {
                case "conv" -> {
                    int kernel = line.option("kernel", -1);
                    if (kernel < 1) {
                        throw new IllegalArgumentException("conv needs kernel=K");
                    }
                    yield List.of(Conv2d.square(channels(), line.intArg(1, "output channels"), kernel,
                            line.option("stride", 1), line.option("padding", 0), line.option("dilation", 1),
                            line.option("groups", 1), line.flag("bias", true)));
                }
                case "maxpool", "avgpool" -> List.of(pooling(kind, line));
                case "global-avgpool" -> List.of(new GlobalAvgPool());
                case "relu" -> List.of(new Activation.Relu());
                case "relu6" -> List.of(new Activation.Relu6());
                case "leaky-relu" -> List.of(new Activation.LeakyRelu(line.floatOption("slope", 0.01f)));
                case "sigmoid" -> List.of(new Activation.Sigmoid());
                case "tanh" -> List.of(new Activation.Tanh());
                case "batchnorm" -> List.of(new BatchNorm2d(channels()));
                case "dropout" -> List.of(new Dropout(line.floatArg(1, "probability"), seed++));
                case "flatten" -> List.of(new Flatten());
                case "linear" -> {
                    if (shape.length != 2) {
                        throw new IllegalArgumentException("linear needs [N, F] input but gets " + Shapes.toString(shape)
                                + "; put 'flatten' or 'global-avgpool' before it");
                    }
                    yield List.of(new Linear(shape[1], line.intArg(1, "output features"), line.flag("bias", true)));
                }
                case "residual" -> residual(line.intArg(1, "output channels"), line.option("stride", 1));
                case "inverted-residual" -> invertedResidual(line.intArg(1, "output channels"), line.option("expand", 6),
                        line.option("stride", 1));
                default -> throw new IllegalArgumentException("unknown layer '" + kind + "'; expected conv, maxpool, avgpool,"
                        + " global-avgpool, relu, relu6, leaky-relu, sigmoid, tanh, batchnorm, dropout, flatten, linear, residual,"
                        + " inverted-residual, repeat or end");
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

        private List<Layer> residual(int out, int stride) {
            int in = channels();
            Sequential main = Sequential.of(
                    Conv2d.square(in, out, 3, stride, 1, 1, 1, false), new BatchNorm2d(out), new Activation.Relu(),
                    Conv2d.square(out, out, 3, 1, 1, 1, 1, false), new BatchNorm2d(out));
            Layer shortcut = stride == 1 && in == out ? null
                    : Sequential.of(Conv2d.square(in, out, 1, stride, 0, 1, 1, false), new BatchNorm2d(out));
            return List.of(new Residual(main, shortcut), new Activation.Relu());
        }

        /** MobileNetV2's inverted residual with a linear bottleneck (Sandler et al. 2018), as torchvision builds it. */
        private List<Layer> invertedResidual(int out, int expand, int stride) {
            if (expand < 1) {
                throw new IllegalArgumentException("expand must be 1 or more, got " + expand);
            }
            if (stride != 1 && stride != 2) {
                throw new IllegalArgumentException("stride must be 1 or 2, got " + stride);
            }
            int in = channels();
            int hidden = in * expand;
            List<Layer> main = new ArrayList<>();
            if (expand != 1) {
                main.addAll(List.of(Conv2d.square(in, hidden, 1, 1, 0, 1, 1, false), new BatchNorm2d(hidden), new Activation.Relu6()));
            }
            main.addAll(List.of(
                    Conv2d.square(hidden, hidden, 3, stride, 1, 1, hidden, false), new BatchNorm2d(hidden), new Activation.Relu6(),
                    Conv2d.square(hidden, out, 1, 1, 0, 1, 1, false), new BatchNorm2d(out)));
            Sequential block = Sequential.of(main.toArray(Layer[]::new));
            return List.of(stride == 1 && in == out ? new Residual(block, null) : block);
        }

        private int channels() {
            if (shape.length != 4) {
                throw new IllegalArgumentException("needs image input [N, C, H, W] but gets " + Shapes.toString(shape));
            }
            return shape[1];
        }
    }

    /** One meaningful line: words and {@code key=value} options. */
    private record Line(int number, String text) {

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
