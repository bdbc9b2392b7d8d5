package pipeline.convnet.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A dataset as folders of images, one folder per class — the layout torchvision's {@code ImageFolder}
 * and Keras' {@code image_dataset_from_directory} read: {@code DIR/cat/1.jpg}, {@code DIR/dog/a.png}.
 * Classes are the folder names in sorted order; images of any format and size are converted and
 * resized to the model's input as it will see them when served.
 */
public final class ImageFolder {

    /**
     * The dataset, and the files that are not images it could read (skipped, each with why), so a stray
     * {@code notes.txt} does not stop a training run but is reported.
     */
    public record Read(Dataset data, List<String> skipped) {}

    private ImageFolder() {
    }

    /** Whether {@code dir} is laid out as a folder of class folders (and not, say, IDX files). */
    public static boolean isImageFolder(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.anyMatch(p -> Files.isDirectory(p) && !hidden(p));
        }
    }

    /**
     * Reads every image under {@code dir}'s class folders, decoded in parallel.
     *
     * @param classes the class names in label order (a validation set takes its training set's), or
     *                {@code null} for the folder names in sorted order
     * @throws IOException when {@code dir} holds no class folders or no images, or when a folder is not
     *                     one of {@code classes}
     */
    public static Read read(Path dir, ImageInput input, List<String> classes, ImageFiles files) throws IOException {
        List<Path> folders;
        try (Stream<Path> entries = Files.list(dir)) {
            folders = entries.filter(p -> Files.isDirectory(p) && !hidden(p)).sorted().toList();
        }
        if (folders.isEmpty()) {
            throw new IOException(dir + " holds no class folders; expected one folder per class, e.g. "
                    + dir.resolve("cat") + "/1.jpg and " + dir.resolve("dog") + "/2.png");
        }
        List<String> names = classes != null ? classes : folders.stream().map(p -> p.getFileName().toString()).toList();
        List<Path> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Path folder : folders) {
            int label = names.indexOf(folder.getFileName().toString());
            if (label < 0) {
                throw new IOException(folder + " is not a class of the training set; expected one of " + names);
            }
            try (Stream<Path> entries = Files.list(folder)) {
                for (Path file : entries.filter(p -> Files.isRegularFile(p) && !hidden(p)).sorted().toList()) {
                    images.add(file);
                    labels.add(label);
                }
            }
        }
        int size = input.pixelCount();
        byte[][] decoded = new byte[images.size()][];
        String[] refused = new String[images.size()];
        IntStream.range(0, images.size()).parallel().forEach(i -> {
            Path file = images.get(i);
            try {
                decoded[i] = files.pixels(Files.readAllBytes(file), file.toString(), input);
            } catch (IOException e) {
                refused[i] = file + ": " + e.getMessage();
            } catch (UncheckedIOException e) {
                refused[i] = file + ": " + e.getCause().getMessage();
            }
        });
        List<String> skipped = new ArrayList<>();
        int kept = 0;
        for (byte[] pixels : decoded) {
            kept += pixels == null ? 0 : 1;
        }
        if (kept == 0) {
            throw new IOException("no image under " + dir + "'s class folders could be read (" + images.size() + " files)");
        }
        byte[] pixels = new byte[kept * size];
        int[] labelOf = new int[kept];
        int at = 0;
        for (int i = 0; i < decoded.length; i++) {
            if (decoded[i] == null) {
                skipped.add(refused[i]);
                continue;
            }
            System.arraycopy(decoded[i], 0, pixels, at * size, size);
            labelOf[at++] = labels.get(i);
        }
        int[] shape = input.shape();
        return new Read(new Dataset(pixels, labelOf, shape[0], shape[1], shape[2], names), skipped);
    }

    private static boolean hidden(Path path) {
        return path.getFileName().toString().startsWith(".");
    }
}
