package pipeline.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
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
import pipeline.modelstore.ModelSnapshot;
import pipeline.modelstore.ModelVerifier;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;

/** /health, /ready and /metrics of a worker serving the real broker. */
@ExtendWith(RealInfrastructure.class)
class WorkerHttpTest {

    @Test
    void readyOnceJoinedAndMetricsCountWhatHappened(TestKafka kafka, TestRegistry registry) throws Exception {
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
        }
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
             HttpClient http = HttpClient.newHttpClient()) {
            AtomicReference<ModelSnapshot> served = new AtomicReference<>(
                    new ModelVerifier().verify(BundledModel.record(1, BundledModel.bytes()), null));
            WorkerSettings settings = new WorkerSettings(kafka.bootstrapServers(), registry.url(), TestKafka.uniqueName("http-workers"),
                    "http-worker", 8, Duration.ofMillis(10), 1, 4096L * 4096, BundledModel.FILE, 1, Duration.ofSeconds(10),
                    Duration.ofSeconds(20), "127.0.0.1", 0);
            WorkerMetrics metrics = new WorkerMetrics(served, () -> 0, () -> 0);
            InferenceLoop loop = new InferenceLoop(settings, client, served, 0, metrics);
            try (WorkerHttp server = new WorkerHttp("127.0.0.1", 0, served, List.of(loop), metrics)) {
                String base = "http://127.0.0.1:" + server.port();
                assertThat(get(http, base + "/health").statusCode()).isEqualTo(200);
                HttpResponse<String> notYet = get(http, base + "/ready");
                assertThat(notYet.statusCode()).isEqualTo(503);
                assertThat(notYet.body()).contains("1 of 1 inference loops have not joined their group yet");

                Thread worker = Thread.ofPlatform().name("http-loop").start(loop);
                String run = TestKafka.uniqueName("http");
                try (KafkaProducer<String, SpecificRecord> producer = ImageFeed.producer(kafka, client)) {
                    producer.send(new ProducerRecord<>("images", run + "-0", ImageFeed.event(run + "-0", ImageFeed.png(ImageFeed.images(1).getFirst()))));
                    producer.send(new ProducerRecord<>("images", run + "-text", ImageFeed.event(run + "-text", "plain text".getBytes()))).get();
                }
                awaitPrediction(kafka, run + "-0");
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!get(http, base + "/metrics").body().contains("code=\"UNSUPPORTED_FORMAT\"") && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }

                HttpResponse<String> ready = get(http, base + "/ready");
                String scrape = get(http, base + "/metrics").body();
                loop.stop();
                worker.join(Duration.ofSeconds(30));

                assertThat(ready.statusCode()).isEqualTo(200);
                assertThat(ready.body()).contains("READY fashion-lenet5 v1");
                // Other tests share the images topic and this group reads it from the start: counts are at least ours.
                assertThat(scrape).contains("worker_model_version 1.0")
                        .containsPattern("worker_images_total [1-9][0-9]*\\.0")
                        .containsPattern("worker_dead_letters_total\\{code=\"UNSUPPORTED_FORMAT\"} [1-9][0-9]*\\.0")
                        .containsPattern("worker_batch_size_count [1-9]")
                        .containsPattern("worker_inference_time_seconds_count [1-9]")
                        .contains("worker_consumer_lag");
            }
        }
    }

    /** Waits until a committed prediction for {@code id} is on the topic. */
    private static void awaitPrediction(TestKafka kafka, String id) {
        try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(kafka.consumerConfig(), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            reader.subscribe(Set.of("predictions"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            boolean found = false;
            while (!found && System.nanoTime() < deadline) {
                for (var record : reader.poll(Duration.ofMillis(100))) {
                    found |= id.equals(record.key());
                }
            }
            assertThat(found).as("a prediction for %s", id).isTrue();
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
