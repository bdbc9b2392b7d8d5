package pipeline.onnx;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import pipeline.convnet.cli.Options;
import pipeline.convnet.data.Normalisation;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.model.ModelInfo;
import pipeline.convnet.tensor.Shapes;

/**
 * Models in and out of ONNX from the command line ({@code ./pipeline convnet import|export}).
 *
 * <pre>
 * convnet import MODEL.onnx --out FILE.model [--classes FILE] [--normalise imagenet|none|MEAN,STD]
 *                [--resize stretch|centre-crop[:F]] [--name NAME]
 * convnet export FILE.model --out MODEL.onnx
 * </pre>
 * Without {@code --classes} or {@code --normalise}, the file's metadata gives them (as this project
 * exports them), else the classes are numbered and pixels are only scaled to [0, 1].
 */
public final class OnnxCommand {

    private OnnxCommand() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args[1].startsWith("--")) {
            System.err.println("usage: convnet import MODEL.onnx --out FILE.model [--classes FILE] [--normalise imagenet|none|MEAN,STD]"
                    + " [--resize stretch|centre-crop[:F]] [--name NAME]\n       convnet export FILE.model --out MODEL.onnx");
            System.exit(2);
        }
        List<String> rest = List.of(args).subList(2, args.length);
        try {
            switch (args[0]) {
                case "import" -> importModel(Path.of(args[1]), rest, System.out);
                case "export" -> exportModel(Path.of(args[1]), rest, System.out);
                default -> throw new IllegalArgumentException("unknown command '" + args[0] + "'; expected import or export");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("convnet " + args[0] + ": " + e.getMessage());
            System.exit(2);
        }
    }

    static void importModel(Path onnx, List<String> args, PrintStream out) throws IOException {
        Options o = new Options("import", args, Set.of("out", "classes", "normalise", "resize", "name"));
        Path target = Path.of(required(o, "out"));
        ModelFile model = OnnxModels.importAsCommanded(onnx, o.text("classes", null), o.text("normalise", null), o.text("resize", null));
        String name = o.text("name", null);
        if (name != null) {
            model = model.withInfo(new ModelInfo(name, 1, null, model.info().createdAt(), model.info().metrics()));
        }
        model.write(target);
        long parameters = model.network().parameters().stream().mapToLong(p -> p.value().size()).sum();
        Normalisation n = model.normalisation();
        out.printf("imported %s: input %s, %d classes, %d nodes, %,d parameters, normalisation mean %s std %s, resize %s%n"
                        + "wrote %s%n", onnx, Shapes.toString(model.network().input()), model.classNames().size(),
                model.network().graph().nodes().size(), parameters, Arrays.toString(n.mean()), Arrays.toString(n.std()),
                model.resize().text(), target);
    }

    static void exportModel(Path file, List<String> args, PrintStream out) throws IOException {
        Options o = new Options("export", args, Set.of("out"));
        Path target = Path.of(required(o, "out"));
        ModelFile model = ModelFile.read(file);
        OnnxExporter.write(model, target);
        out.printf("exported %s (%s v%d) to %s, ONNX operator set %d%n", file, model.info().name(), model.info().version(),
                target, OnnxExporter.OPSET);
    }

    private static String required(Options o, String key) {
        String value = o.text(key, null);
        if (value == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return value;
    }
}
