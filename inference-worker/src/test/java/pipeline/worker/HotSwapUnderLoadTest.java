package pipeline.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.model.ModelFile;
import pipeline.modelstore.ModelSnapshot;
import pipeline.modelstore.ModelVerifier;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroDeserializer;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.ModelKey;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

/** A new version published mid-stream: nothing lost or doubled, v1 then v2 only, a corrupted v3 refused. */
@ExtendWith(RealInfrastructure.class)
class HotSwapUnderLoadTest {

    static final int IMAGES = 1000;

    @Test
    void everyImageOnceNamingV1ThenV2AndTheSampleAccuracyHolds(TestKafka kafka, TestRegistry registry) throws Exception {
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
        }
        String name = TestKafka.uniqueName("swap-model");
        String run = TestKafka.uniqueName("swap");
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             KafkaProducer<String, SpecificRecord> models = ImageFeed.producer(kafka, client);
             KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(kafka.consumerConfig(), new StringDeserializer(),
                     new ByteArrayDeserializer())) {
            AtomicReference<ModelSnapshot> served = new AtomicReference<>(
                    new ModelVerifier().verify(BundledModel.record(name, 1, BundledModel.bytes()), null));
            WorkerSettings settings = new WorkerSettings(kafka.bootstrapServers(), registry.url(), TestKafka.uniqueName("swap-workers"),
                    "swap-worker", 16, Duration.ofMillis(20), 1, 4096L * 4096, BundledModel.FILE, 1, Duration.ofSeconds(10),
                    Duration.ofSeconds(20), "127.0.0.1", 0);
            InferenceLoop loop = new InferenceLoop(settings, client, served, 0, Metrics.forTest());
            ModelFollower follower = new ModelFollower(KafkaConnection.plaintext(kafka.bootstrapServers()), client, served);
            Thread worker = Thread.ofPlatform().name("swap-loop").start(loop);
            Thread following = Thread.ofPlatform().name("swap-follower").start(follower);
            List<BufferedImage> images = ImageFeed.images(IMAGES);
            CompletableFuture<Void> stream = ImageFeed.streamInBackground(kafka, client, run, images, Duration.ofMillis(3));

            reader.subscribe(Set.of("predictions"));
            AvroDeserializer<Prediction> predictions = AvroDeserializer.forClass(Prediction.class, client);
            Map<String, List<Prediction>> byImage = new HashMap<>();
            collect(reader, predictions, run, byImage, IMAGES / 4);
            publish(models, BundledModel.record(name, 2, BundledModel.bytes()));
            collect(reader, predictions, run, byImage, IMAGES / 2);
            ModelFile broken = ModelFile.read(BundledModel.FILE);
            broken.network().state().get(2).values()[0] = Float.NaN;
            publish(models, BundledModel.record(name, 3, broken.toBytes()));
            collect(reader, predictions, run, byImage, IMAGES);
            stream.join();
            long settle = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (System.nanoTime() < settle) {
                collect(reader, predictions, run, byImage, Integer.MAX_VALUE);
            }
            loop.stop();
            follower.stop();
            worker.join(Duration.ofSeconds(30));
            following.join(Duration.ofSeconds(10));

            assertThat(byImage).hasSize(IMAGES);
            assertThat(byImage.values()).allSatisfy(list -> assertThat(list).hasSize(1));
            List<Prediction> inOrder = new ArrayList<>(byImage.values().stream().map(List::getFirst).toList());
            inOrder.sort(Comparator.comparing(Prediction::getTimestamp));
            List<Integer> versions = inOrder.stream().map(p -> p.getModel().getVersion()).toList();
            assertThat(versions).containsOnly(1, 2).contains(1, 2);
            int firstV2 = versions.indexOf(2);
            assertThat(versions.subList(firstV2, versions.size())).as("after the swap, all name v2").containsOnly(2);
            assertThat(follower.refusedVersions()).as("the corrupted v3").isEqualTo(1);
            assertThat(served.get().version()).isEqualTo(2);

            Dataset test = Dataset.readIdx(ImageFeed.SAMPLE, "t10k", Dataset.FASHION_MNIST_CLASSES);
            long correct = byImage.entrySet().stream().filter(e -> {
                int index = Integer.parseInt(e.getKey().substring(run.length() + 1));
                return e.getValue().getFirst().getTopK().getFirst().getLabel().equals(test.classNames().get(test.labels()[index]));
            }).count();
            double modelAccuracy = ModelFile.read(BundledModel.FILE).info().metrics().get("testAccuracy");
            assertThat(correct / (double) IMAGES).as("accuracy through Kafka").isCloseTo(modelAccuracy, within(0.01));
        }
    }

    private static void publish(KafkaProducer<String, SpecificRecord> producer, ModelVersion version) throws Exception {
        producer.send(new ProducerRecord<>(Topics.MODELS.name(), new ModelKey(version.getName(), version.getVersion()).toString(),
                version)).get();
    }

    private static void collect(KafkaConsumer<String, byte[]> reader, AvroDeserializer<Prediction> predictions, String run,
                                Map<String, List<Prediction>> byImage, int until) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        do {
            reader.poll(Duration.ofMillis(100)).forEach(r -> {
                Prediction p = predictions.deserialize(r.topic(), r.value());
                if (p.getImageId().startsWith(run + "-")) {
                    byImage.computeIfAbsent(p.getImageId(), k -> new ArrayList<>()).add(p);
                }
            });
        } while (byImage.size() < Math.min(until, IMAGES) && System.nanoTime() < deadline);
    }
}
