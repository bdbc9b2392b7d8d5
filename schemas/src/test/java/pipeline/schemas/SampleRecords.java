package pipeline.schemas;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import pipeline.schemas.avro.DeadLetter;
import pipeline.schemas.avro.Feedback;
import pipeline.schemas.avro.ImageEvent;
import pipeline.schemas.avro.InputSpec;
import pipeline.schemas.avro.LabelOrigin;
import pipeline.schemas.avro.LabelledImage;
import pipeline.schemas.avro.ModelAccuracy;
import pipeline.schemas.avro.ModelRef;
import pipeline.schemas.avro.ModelStatus;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.avro.ScoredLabel;
import pipeline.schemas.avro.Timings;
import pipeline.schemas.avro.TrainingMetrics;

/** One realistic record of every type on the catalogue's topics, with a real PNG where an image goes. */
public final class SampleRecords {

    /** Millisecond precision, as timestamp-millis keeps. */
    static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    private SampleRecords() {
    }

    public static SpecificRecord forSchema(Schema schema) {
        return switch (schema.getName()) {
            case "ImageEvent" -> imageEvent("img-1");
            case "Prediction" -> prediction();
            case "LabelledImage" -> labelledImage();
            case "ModelVersion" -> modelVersion();
            case "Feedback" -> new Feedback("img-1", "Sneaker", LabelOrigin.CORRECTION, NOW, "alice", "defects");
            case "ModelAccuracy" -> new ModelAccuracy(ref(), NOW.minusSeconds(60), NOW, 120L, 107L, 107.0 / 120);
            case "DeadLetter" -> new DeadLetter("img-9", ByteBuffer.wrap(new byte[] {1, 2, 3}), "images", 4, 1234L,
                    "UNDECODABLE_IMAGE", "bytes are not PNG, JPEG, BMP or GIF", "worker-1", NOW);
            case "TrainingMetrics" -> new TrainingMetrics(ref(), 0.41, 0.87, 2000, 60000L, 5300L, NOW);
            default -> throw new IllegalArgumentException("no sample for " + schema.getFullName());
        };
    }

    public static ImageEvent imageEvent(String id) {
        return ImageEvent.newBuilder()
                .setId(id)
                .setSource("camera-7")
                .setTimestamp(NOW)
                .setContentType("image/png")
                .setImage(ByteBuffer.wrap(png(28, 28)))
                .setLabel("Ankle boot")
                .setAttributes(Map.of("site", "dock-2"))
                .build();
    }

    static Prediction prediction() {
        return Prediction.newBuilder()
                .setImageId("img-1")
                .setSource("camera-7")
                .setModel(ref())
                .setTopK(List.of(new ScoredLabel("Ankle boot", 0.91f), new ScoredLabel("Sneaker", 0.06f)))
                .setEmbedding(List.of(0.6f, 0.8f, 0f))
                .setTimings(new Timings(12L, 850L, 32))
                .setTimestamp(NOW)
                .build();
    }

    static LabelledImage labelledImage() {
        return new LabelledImage("img-2", "upload", "image/png", ByteBuffer.wrap(png(28, 28)), "Shirt",
                LabelOrigin.HUMAN, NOW, null);
    }

    static ModelVersion modelVersion() {
        return ModelVersion.newBuilder()
                .setName("fashion-lenet5")
                .setVersion(3)
                .setParentVersion(2)
                .setArchitecture("lenet5")
                .setWeights(ByteBuffer.wrap(new byte[] {9, 8, 7, 6}))
                .setWeightsSha256("0".repeat(64))
                .setInput(new InputSpec(1, 28, 28, List.of(0.286f), List.of(0.353f), "stretch"))
                .setClassNames(List.of("T-shirt/top", "Trouser"))
                .setMetrics(Map.of("heldOutAccuracy", 0.89))
                .setSamplesSeen(120_000L)
                .setCreatedAt(NOW)
                .setStatus(ModelStatus.PROMOTED)
                .build();
    }

    private static ModelRef ref() {
        return new ModelRef("fashion-lenet5", 3);
    }

    /** A real PNG: a grey gradient. */
    public static byte[] png(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int grey = (x * 255) / Math.max(1, width - 1);
                image.getRaster().setSample(x, y, 0, grey);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
