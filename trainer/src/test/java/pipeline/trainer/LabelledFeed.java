package pipeline.trainer;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import pipeline.convnet.data.Dataset;
import pipeline.schemas.avro.ImageEvent;
import pipeline.schemas.avro.LabelOrigin;
import pipeline.schemas.avro.LabelledImage;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroSerializer;
import pipeline.schemas.serde.SerdeOptions;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.TestKafka;

/** Sends Fashion-MNIST images to {@code images} and their labels to {@code labels}, as the gateway does, and checks the broker took each. */
final class LabelledFeed implements AutoCloseable {

    private final KafkaProducer<String, SpecificRecord> producer;
    private final List<Future<RecordMetadata>> sent = new ArrayList<>();

    LabelledFeed(TestKafka kafka, SchemaRegistryClient client) {
        producer = new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(), new AvroSerializer<>(client, SerdeOptions.DEFAULTS, false));
    }

    static byte[] png(BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Image {@code index} of {@code data} as {@code id} on {@code images}, without its label. */
    void image(String id, Dataset data, int index) {
        image(Topics.IMAGES.name(), id, data, index);
    }

    /** Image {@code index} of {@code data} as {@code id} on {@code topic}, without its label. */
    void image(String topic, String id, Dataset data, int index) {
        send(topic, id, ImageEvent.newBuilder().setId(id).setSource("trainer-test").setTimestamp(Instant.now())
                .setContentType("image/png").setImage(ByteBuffer.wrap(png(data.picture(index)))).build());
    }

    /** Image {@code index} on {@code labels} as {@code id}, labelled {@code label}. */
    void label(String id, Dataset data, int index, String label) {
        label(null, id, data, index, label);
    }

    /** As above, for {@code model} (as the gateway's {@code ?model=} names it; {@code null}: the images topic's). */
    void label(String model, String id, Dataset data, int index, String label) {
        send(Topics.LABELS.name(), id, LabelledImage.newBuilder().setImageId(id).setSource("trainer-test").setContentType("image/png")
                .setImage(ByteBuffer.wrap(png(data.picture(index)))).setLabel(label).setOrigin(LabelOrigin.DATASET)
                .setTimestamp(Instant.now()).setModel(model).build());
    }

    void send(String topic, String key, SpecificRecord value) {
        sent.add(producer.send(new ProducerRecord<>(topic, key, value)));
    }

    /** Waits until the broker has every record sent so far. */
    void confirm() throws InterruptedException {
        producer.flush();
        for (Future<RecordMetadata> f : sent) {
            try {
                f.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("the broker did not take a record: " + e.getCause(), e);
            }
        }
        sent.clear();
    }

    @Override
    public void close() {
        producer.close();
    }
}
