package pipeline.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.convnet.inspect.Picture;
import pipeline.images.DecodedImage;
import pipeline.images.ImageProbe;
import pipeline.modelstore.ModelSnapshot;
import pipeline.modelstore.ModelVerifier;
import pipeline.schemas.avro.DeadLetter;
import pipeline.schemas.avro.ImageEvent;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.intake.RecordIntake;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroSerializer;
import pipeline.schemas.serde.SerdeOptions;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestRegistry;

/**
 * The worker's batch core with no broker: records as a consumer would hand them over (Avro through the
 * real registry), outputs as the committer would send them — one per record, in order.
 */
@ExtendWith(RealInfrastructure.class)
class BatchInferenceTest {

    private SchemaRegistryClient registry;
    private ModelSnapshot snapshot;
    private AvroSerializer<SpecificRecord> avro;
    private long offset;

    @BeforeEach
    void start(TestRegistry testRegistry) throws Exception {
        registry = new SchemaRegistryClient(RegistryClientOptions.of(testRegistry.url()));
        avro = new AvroSerializer<>(registry, SerdeOptions.DEFAULTS, false);
        snapshot = new ModelVerifier().verify(BundledModel.record(1, BundledModel.bytes()), null);
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void everyRecordGetsItsPredictionOrItsDeadLetterInOrder() throws Exception {
        List<BufferedImage> pictures = ImageFeed.images(5);
        byte[] png = Picture.png(pictures.get(0));
        byte[] damaged = Arrays.copyOf(png, png.length - 12);
        List<ConsumerRecord<String, byte[]>> batch = List.of(
                image("good-0", "image/png", png),
                image("not-an-image", "image/png", "%PDF-1.7".getBytes()),
                image("good-1", "image/jpeg", encode(pictures.get(1), "jpg")),
                new ConsumerRecord<>(Topics.IMAGES.name(), 0, offset++, "garbage", new byte[] {1, 2, 3}),
                image("cut-short", "image/png", damaged),
                image("good-2", "image/bmp", encode(pictures.get(2), "bmp")));

        List<ProducerRecord<String, SpecificRecord>> out = core(1).process(snapshot, batch);

        assertThat(out).extracting(ProducerRecord::key).containsExactly("good-0", "not-an-image", "good-1", "garbage",
                "cut-short", "good-2");
        assertThat(out).extracting(ProducerRecord::topic).containsExactly(Topics.PREDICTIONS.name(), Topics.IMAGES_DLQ.name(),
                Topics.PREDICTIONS.name(), Topics.IMAGES_DLQ.name(), Topics.IMAGES_DLQ.name(), Topics.PREDICTIONS.name());
        assertThat(((DeadLetter) out.get(1).value()).getErrorCode()).isEqualTo("UNSUPPORTED_FORMAT");
        assertThat(((DeadLetter) out.get(4).value()).getErrorCode()).isEqualTo("UNDECODABLE_IMAGE");
        assertThat(((DeadLetter) out.get(4).value()).getMessage()).contains("image cut-short", "IEND");
        assertThat(((DeadLetter) out.get(3).value()).getSourceOffset()).isEqualTo(batch.get(3).offset());
        ImageProbe probe = new ImageProbe(4096L * 4096);
        Predictor.BatchPrediction direct = new Predictor(5).predict(snapshot,
                List.of(probe.decode(png), probe.decode(encode(pictures.get(1), "jpg")),
                        new DecodedImage.Picture(pictures.get(2))));
        int[] predicted = {0, 2, 5};
        for (int i = 0; i < predicted.length; i++) {
            Prediction prediction = (Prediction) out.get(predicted[i]).value();
            assertThat(prediction.getTopK().getFirst().getLabel()).isEqualTo(direct.images().get(i).topK().getFirst().label());
            assertThat(prediction.getModel().getVersion()).isEqualTo(1);
            assertThat(prediction.getTimings().getBatchSize()).as("three of the six decoded").isEqualTo(3);
        }
    }

    @Test
    void decodingOnSeveralThreadsGivesWhatOneThreadGives() throws Exception {
        List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
        List<BufferedImage> pictures = ImageFeed.images(23);
        for (int i = 0; i < pictures.size(); i++) {
            batch.add(image("image-" + i, "image/png", i % 7 == 3 ? new byte[] {9} : Picture.png(pictures.get(i))));
        }

        List<ProducerRecord<String, SpecificRecord>> one = core(1).process(snapshot, batch);
        List<ProducerRecord<String, SpecificRecord>> three = core(3).process(snapshot, batch);

        for (int i = 0; i < batch.size(); i++) {
            assertThat(three.get(i).key()).isEqualTo(one.get(i).key());
            if (one.get(i).value() instanceof Prediction p) {
                assertThat(((Prediction) three.get(i).value()).getEmbedding()).isEqualTo(p.getEmbedding());
            } else {
                assertThat(((DeadLetter) three.get(i).value()).getErrorCode()).isEqualTo(((DeadLetter) one.get(i).value()).getErrorCode());
            }
        }
    }

    @Test
    void aRegistryThatCannotBeReachedFailsTheBatchRatherThanDeadLetteringIt() throws Exception {
        List<ConsumerRecord<String, byte[]>> batch = List.of(image("good-0", "image/png", Picture.png(ImageFeed.images(1).getFirst())));
        try (SchemaRegistryClient nowhere = new SchemaRegistryClient(RegistryClientOptions.of("http://127.0.0.1:9/apis/ccompat/v7"))) {
            BatchInference core = new BatchInference(RecordIntake.of(ImageEvent.class, nowhere), new ImageProbe(4096L * 4096),
                    new Predictor(5), new DecodePool(2), Metrics.forTest(), "test-worker");

            assertThatThrownBy(() -> core.process(snapshot, batch)).hasMessageContaining("127.0.0.1:9");
        }
    }

    private BatchInference core(int decodeThreads) {
        return new BatchInference(RecordIntake.of(ImageEvent.class, registry), new ImageProbe(4096L * 4096), new Predictor(5),
                new DecodePool(decodeThreads), Metrics.forTest(), "test-worker");
    }

    private ConsumerRecord<String, byte[]> image(String id, String contentType, byte[] bytes) {
        byte[] value = avro.serialize(Topics.IMAGES.name(), ImageEvent.newBuilder().setId(id).setSource("test")
                .setTimestamp(Instant.now()).setContentType(contentType).setImage(ByteBuffer.wrap(bytes)).build());
        return new ConsumerRecord<>(Topics.IMAGES.name(), 0, offset++, id, value);
    }

    private static byte[] encode(BufferedImage image, String format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }
}
