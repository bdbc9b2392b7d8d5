package pipeline.worker;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.inspect.Picture;
import pipeline.schemas.avro.ImageEvent;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroSerializer;
import pipeline.schemas.serde.SerdeOptions;
import pipeline.testkit.TestKafka;

/** Real Fashion-MNIST test images from the committed sample, as PNGs in {@code ImageEvent}s on {@code images}. */
final class ImageFeed {

    static final Path SAMPLE = Path.of("../convnet/src/test/resources/fashion-mnist-sample");

    private ImageFeed() {
    }

    /** The first {@code count} test images of the sample (at most 1,000). */
    static List<BufferedImage> images(int count) throws IOException {
        Dataset test = Dataset.readIdx(SAMPLE, "t10k", Dataset.FASHION_MNIST_CLASSES);
        List<BufferedImage> images = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            images.add(test.picture(i));
        }
        return images;
    }

    static ImageEvent event(String id, byte[] bytes) {
        return ImageEvent.newBuilder().setId(id).setSource("test-camera").setTimestamp(Instant.now())
                .setContentType("image/png").setImage(ByteBuffer.wrap(bytes)).build();
    }

    static byte[] png(BufferedImage image) {
        return Picture.png(image);
    }

    static KafkaProducer<String, SpecificRecord> producer(TestKafka kafka, SchemaRegistryClient client) {
        return new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(), new AvroSerializer<>(client, SerdeOptions.DEFAULTS, false));
    }

    /**
     * Sends images {@code <run>-0 … <run>-(n−1)}, {@code gap} apart like a camera, and checks that the
     * broker took every one, so that an image missing from the predictions is the worker's doing,
     * never the feed's. Tests share the topics, so each run's ids carry its own prefix.
     *
     * @throws IllegalStateException naming the first image the broker did not take
     */
    static void stream(TestKafka kafka, SchemaRegistryClient client, String run, List<BufferedImage> images, Duration gap) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<String, SpecificRecord> producer = producer(kafka, client)) {
            for (int i = 0; i < images.size(); i++) {
                sent.add(producer.send(new ProducerRecord<>("images", run + "-" + i, event(run + "-" + i, png(images.get(i))))));
                Thread.sleep(gap);
            }
            producer.flush();
            for (int i = 0; i < sent.size(); i++) {
                try {
                    sent.get(i).get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("image " + run + "-" + i + " was not written to images: " + e.getCause(), e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@link #stream} on a thread of its own; joining the future rethrows a failed send. */
    static CompletableFuture<Void> streamInBackground(TestKafka kafka, SchemaRegistryClient client, String run,
                                                     List<BufferedImage> images, Duration gap) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofPlatform().name("camera").start(() -> {
            try {
                stream(kafka, client, run, images, gap);
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }
}
