package pipeline.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.convnet.model.ModelFile;
import pipeline.modelstore.ModelSnapshot;
import pipeline.modelstore.ModelVerifier;
import pipeline.schemas.BadRecords;
import pipeline.schemas.avro.ModelStatus;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroSerializer;
import pipeline.schemas.serde.SerdeOptions;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.ModelKey;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

/** Versions published on the real {@code models} topic are verified, swapped in, refused or rolled back. */
@ExtendWith(RealInfrastructure.class)
class ModelFollowerTest {

    @Test
    void promotedVersionsSwapInBrokenOnesAreRefusedAndAnOlderOneRollsBack(TestKafka kafka, TestRegistry registry) throws Exception {
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
        }
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(),
                     new AvroSerializer<>(client, SerdeOptions.DEFAULTS, false))) {
            AtomicReference<ModelSnapshot> served = new AtomicReference<>(
                    new ModelVerifier().verify(BundledModel.record(1, BundledModel.bytes()), null));
            ModelFollower follower = new ModelFollower(KafkaConnection.plaintext(kafka.bootstrapServers()), client, served);
            Thread thread = Thread.ofPlatform().name("model-follower").start(follower);
            assertThat(follower.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            // Other tests share the topic, and some of their records are refused too.
            long refusedBefore = follower.refusedVersions();

            publish(producer, BundledModel.record(2, BundledModel.bytes()));
            await(() -> served.get().version() == 2, "v2 served");

            ModelVersion badChecksum = BundledModel.record(3, BundledModel.bytes());
            badChecksum.setWeightsSha256("f".repeat(64));
            publish(producer, badChecksum);
            ModelFile nan = ModelFile.read(BundledModel.FILE);
            nan.network().state().getFirst().values()[3] = Float.NaN;
            publish(producer, BundledModel.record(4, nan.toBytes()));
            ModelVersion candidate = BundledModel.record(5, BundledModel.bytes());
            candidate.setStatus(ModelStatus.CANDIDATE);
            publish(producer, candidate);
            await(() -> follower.refusedVersions() == refusedBefore + 2, "two versions refused");
            assertThat(served.get().version()).as("still serving after refusals and a candidate").isEqualTo(2);

            publish(producer, BundledModel.record(1, BundledModel.bytes()));
            await(() -> served.get().version() == 1, "rolled back to v1");

            follower.stop();
            thread.join(Duration.ofSeconds(10));
            assertThat(thread.isAlive()).isFalse();
        }
    }

    @Test
    void atStartTheLatestPromotedVersionServesOnceTheHistoryIsRead(TestKafka kafka, TestRegistry registry) throws Exception {
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
        }
        String name = TestKafka.uniqueName("start-model");
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(),
                     new AvroSerializer<>(client, SerdeOptions.DEFAULTS, false))) {
            publish(producer, BundledModel.record(name, 6, BundledModel.bytes()));
            publish(producer, BundledModel.record(name, 7, BundledModel.bytes()));
            AtomicReference<ModelSnapshot> served = new AtomicReference<>(
                    new ModelVerifier().verify(BundledModel.record(name, 1, BundledModel.bytes()), null));
            ModelFollower follower = new ModelFollower(KafkaConnection.plaintext(kafka.bootstrapServers()), client, served);
            Thread thread = Thread.ofPlatform().name("model-follower").start(follower);

            boolean caughtUp = follower.awaitCaughtUp(Duration.ofSeconds(30));
            int servingOnceCaughtUp = served.get().version();
            follower.stop();
            thread.join(Duration.ofSeconds(10));

            assertThat(caughtUp).isTrue();
            assertThat(servingOnceCaughtUp).isEqualTo(7);
        }
    }

    @Test
    void recordsThatAreNotModelVersionsAreSkippedAndCountedAndTheFollowerGoesOn(TestKafka kafka, TestRegistry registry) throws Exception {
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
        }
        String name = TestKafka.uniqueName("bad-models");
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerConfig(), new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            AtomicReference<ModelSnapshot> served = new AtomicReference<>(
                    new ModelVerifier().verify(BundledModel.record(name, 1, BundledModel.bytes()), null));
            ModelFollower follower = new ModelFollower(KafkaConnection.plaintext(kafka.bootstrapServers()), client, served);
            Thread thread = Thread.ofPlatform().name("model-follower").start(follower);
            assertThat(follower.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            long refusedBefore = follower.refusedVersions();
            ModelVersion v2 = BundledModel.record(name, 2, BundledModel.bytes());
            List<BadRecords.Raw> bad = BadRecords.around(client, Topics.MODELS.name(), new ModelKey(name, 2).toString(), v2,
                    ImageFeed.event(name, new byte[] {1}));
            bad.removeIf(raw -> raw.key() == null); // the broker itself refuses a keyless record on a compacted topic
            ModelVersion noWeights = BundledModel.record(name, 3, BundledModel.bytes());
            noWeights.setWeights(ByteBuffer.allocate(0));
            bad.add(BadRecords.absurd("no weights", client, Topics.MODELS.name(), new ModelKey(name, 3).toString(), noWeights,
                    "INVALID_FIELD"));

            for (BadRecords.Raw raw : bad) {
                producer.send(raw.to(Topics.MODELS.name(), 0)).get();
            }
            producer.send(new BadRecords.Raw("good", new ModelKey(name, 4).toString(),
                    BadRecords.wire(client, Topics.MODELS.name(), BundledModel.record(name, 4, BundledModel.bytes())), null)
                    .to(Topics.MODELS.name(), 0)).get();
            await(() -> served.get().version() == 4, "v4 served after the bad records");

            assertThat(follower.refusedVersions() - refusedBefore).as("bad records counted").isEqualTo(bad.size());
            assertThat(thread.isAlive()).as("the follower goes on").isTrue();
            follower.stop();
            thread.join(Duration.ofSeconds(10));
        }
    }

    private static void publish(KafkaProducer<String, SpecificRecord> producer, ModelVersion version) throws Exception {
        producer.send(new ProducerRecord<>(Topics.MODELS.name(), new ModelKey(version.getName(), version.getVersion()).toString(),
                version)).get();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for: %s", what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
