package pipeline.ops.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.inspect.Picture;

/** The images a load sends, each with its content type and, when known, its true label. */
public final class LoadImages {

    private static final Map<String, String> TYPES = Map.of("png", "image/png", "jpg", "image/jpeg", "jpeg", "image/jpeg",
            "gif", "image/gif", "bmp", "image/bmp", "tif", "image/tiff", "tiff", "image/tiff", "webp", "image/webp");

    /** One image to send; {@code label} is {@code null} when unknown. */
    public record Image(byte[] bytes, String contentType, String label) {
    }

    private LoadImages() {
    }

    /**
     * The {@code t10k} images of an IDX folder (Fashion-MNIST's layout), PNG-encoded, with their labels.
     *
     * @param limit at most this many (encoding is done up front)
     */
    public static List<Image> fromIdx(Path folder, int limit) throws IOException {
        Dataset test = Dataset.readIdx(folder, "t10k", Dataset.FASHION_MNIST_CLASSES);
        int count = Math.min(limit, test.size());
        List<Image> images = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            images.add(new Image(Picture.png(test.picture(i)), "image/png", test.classNames().get(test.labels()[i])));
        }
        return images;
    }

    /**
     * Every PNG, JPEG, GIF and BMP file under {@code folder}; a file's label is the name of the folder
     * it is in, when that is not {@code folder} itself ({@code folder/Sneaker/001.png} is a Sneaker).
     */
    public static List<Image> fromFolder(Path folder, int limit) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IOException(folder + " is not a folder of images");
        }
        List<Image> images = new ArrayList<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().limit(limit).toList()) {
                String name = file.getFileName().toString();
                String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT));
                if (type != null) {
                    String label = file.getParent().equals(folder) ? null : file.getParent().getFileName().toString();
                    images.add(new Image(Files.readAllBytes(file), type, label));
                }
            }
        }
        if (images.isEmpty()) {
            throw new IOException("no .png, .jpg, .jpeg, .gif or .bmp files under " + folder);
        }
        return images;
    }
}
