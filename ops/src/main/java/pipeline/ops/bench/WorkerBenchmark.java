package pipeline.ops.bench;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.data.Normalisation;
import pipeline.convnet.init.Initializer;
import pipeline.convnet.inspect.Picture;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.model.ModelInfo;
import pipeline.convnet.net.Network;
import pipeline.convnet.net.NetworkSpec;
import pipeline.convnet.tensor.Tensor;
import pipeline.infra.ApicurioRegistry;
import pipeline.modelstore.ModelSnapshot;
import pipeline.ops.LocalStack;
import pipeline.ops.StackOptions;
import pipeline.schemas.avro.ImageEvent;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroDeserializer;
import pipeline.schemas.serde.AvroSerializer;
import pipeline.schemas.serde.SerdeOptions;
import pipeline.schemas.topics.ConsumerGroups;
import pipeline.schemas.topics.Topics;
import pipeline.worker.InferenceLoop;
import pipeline.worker.WorkerMetrics;
import pipeline.worker.WorkerSettings;

/**
 * Worker throughput through Kafka against the engine alone, same model and batch size, on a real
 * local stack this command starts and stops. The Kafka path is timed after a warm-up batch, from
 * the first image sent to the last prediction read (produce, consume, deserialise, decode, infer,
 * serialise, produce, commit, read); the images are PNG-encoded before the clock starts, as a
 * client would send them. The engine alone runs forward passes on batches already decoded. Median
 * of the repetitions.
 *
 * <pre>
 * ./pipeline bench-worker [IMAGES [BATCH [REPEATS]]]     defaults 2000, 32, 3 (ResNet-20 uses at most 600 images)
 * </pre>
 */
public final class WorkerBenchmark {

    private WorkerBenchmark() {
    }

    public static void run(int images, int batch, int repeats, PrintStream out) throws Exception {
        Path dataDir = Files.createTempDirectory("bench-stack-");
        try (LocalStack stack = LocalStack.start(new StackOptions(dataDir, 0, 0, 0, 0, ApicurioRegistry.defaultHome(),
                Duration.ofMinutes(2)));
             SchemaRegistryClient registry = new SchemaRegistryClient(RegistryClientOptions.of(stack.registryUrl()))) {
            List<BufferedImage> sample = sampleImages(images);
            out.printf("| model | batch | engine alone (img/s) | through Kafka (img/s) | Kafka / engine | batch sizes seen | queue time p50 / p99 (ms) | worker time by stage (last run) |%n");
            out.printf("| --- | --- | --- | --- | --- | --- | --- | --- |%n");
            for (String arch : List.of("lenet5", "resnet20")) {
                ModelFile model = model(arch);
                int count = arch.equals("resnet20") ? Math.min(images, 600) : images;
                double engine = engineAlone(model, sample.subList(0, count), batch, repeats);
                KafkaRun kafka = throughKafka(stack, registry, model, sample.subList(0, count), batch, repeats, arch);
                out.printf("| %s | %d | %.0f | %.0f | %.0f %% | %s | %d / %d | %s |%n", arch, batch, engine, kafka.imagesPerSecond(),
                        100 * kafka.imagesPerSecond() / engine, kafka.batchSizes(), kafka.queueP50(), kafka.queueP99(), kafka.stages());
            }
        }
    }

    private record KafkaRun(double imagesPerSecond, String batchSizes, long queueP50, long queueP99, String stages) {}

    /** Forward passes over pre-decoded batches; images/s, median of {@code repeats}. */
    private static double engineAlone(ModelFile model, List<BufferedImage> images, int batch, int repeats) {
        ModelSnapshot snapshot = new ModelSnapshot(model.info().name(), 1, model);
        List<Tensor> batches = new ArrayList<>();
        for (int from = 0; from < images.size(); from += batch) {
            batches.add(snapshot.input().batch(images.subList(from, Math.min(images.size(), from + batch)).toArray(BufferedImage[]::new)));
        }
        snapshot.serving().infer(batches.getFirst());
        double[] rates = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long start = System.nanoTime();
            for (Tensor input : batches) {
                snapshot.serving().infer(input);
            }
            rates[r] = images.size() / ((System.nanoTime() - start) / 1e9);
        }
        return median(rates);
    }

    private static KafkaRun throughKafka(LocalStack stack, SchemaRegistryClient registry, ModelFile model,
                                         List<BufferedImage> images, int batch, int repeats, String arch) throws Exception {
        double[] rates = new double[repeats];
        List<Prediction> last = List.of();
        String stages = "";
        List<byte[]> pngs = images.stream().map(Picture::png).toList();
        for (int r = 0; r < repeats; r++) {
            String run = arch + "-" + r + "-" + System.nanoTime();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
                ConsumerGroups.startAtEnd(admin, "bench-" + run, Topics.IMAGES.name());
                ConsumerGroups.startAtEnd(admin, "bench-reader-" + run, Topics.PREDICTIONS.name());
            }
            WorkerSettings settings = new WorkerSettings(stack.bootstrapServers(), stack.registryUrl(), "bench-" + run, run,
                    batch, Duration.ofMillis(20), 5, 4096L * 4096, Path.of("unused"), 1, Duration.ofSeconds(10),
                    Duration.ofSeconds(20), "127.0.0.1", 0);
            AtomicReference<ModelSnapshot> served = new AtomicReference<>(new ModelSnapshot(model.info().name(), 1, model));
            WorkerMetrics metrics = new WorkerMetrics(served, () -> 0, () -> 0);
            InferenceLoop loop = new InferenceLoop(settings, registry, served, 0, metrics);
            Thread worker = Thread.ofPlatform().name("bench-loop").start(loop);
            try (KafkaConsumer<String, byte[]> reader = reader(stack, run)) {
                // Warm up: both groups joined, transactions initialised, schemas cached, code compiled.
                produce(stack, registry, run + "-warm", pngs.subList(0, Math.min(batch, pngs.size())));
                awaitPredictions(reader, registry, run + "-warm", Math.min(batch, pngs.size()));
                double[] before = stageSeconds(metrics);
                double transactionsBefore = metrics.transactionSeconds();
                long start = System.nanoTime();
                produce(stack, registry, run + "-timed", pngs);
                last = awaitPredictions(reader, registry, run + "-timed", images.size());
                rates[r] = images.size() / ((System.nanoTime() - start) / 1e9);
                double[] after = stageSeconds(metrics);
                double total = 0;
                for (int i = 0; i < WorkerMetrics.STAGES.size(); i++) {
                    total += after[i] - before[i];
                }
                StringBuilder shares = new StringBuilder();
                for (int i = 0; i < WorkerMetrics.STAGES.size(); i++) {
                    shares.append(i == 0 ? "" : ", ").append(WorkerMetrics.STAGES.get(i)).append(' ')
                            .append(Math.round(100 * (after[i] - before[i]) / Math.max(1e-9, total))).append('%');
                }
                shares.append("; beside them, transactions ").append(Math.round(100 * (metrics.transactionSeconds() - transactionsBefore)
                        / Math.max(1e-9, total))).append('%');
                stages = shares.toString();
            }
            loop.stop();
            worker.join();
        }
        Map<Integer, Integer> sizes = new HashMap<>();
        long[] queued = new long[last.size()];
        for (int i = 0; i < last.size(); i++) {
            sizes.merge(last.get(i).getTimings().getBatchSize(), 1, Integer::sum);
            queued[i] = last.get(i).getTimings().getQueuedMillis();
        }
        Arrays.sort(queued);
        return new KafkaRun(median(rates), sizes.toString(), queued[queued.length / 2], queued[(int) (queued.length * 0.99)], stages);
    }

    /** Sends the encoded images as fast as the producer goes. */
    private static void produce(LocalStack stack, SchemaRegistryClient registry, String run, List<byte[]> pngs) {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5);
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(config, new StringSerializer(),
                new AvroSerializer<>(registry, SerdeOptions.DEFAULTS, false))) {
            for (int i = 0; i < pngs.size(); i++) {
                String id = run + "-" + i;
                producer.send(new ProducerRecord<>(Topics.IMAGES.name(), id, ImageEvent.newBuilder().setId(id).setSource("bench")
                        .setTimestamp(Instant.now()).setContentType("image/png").setImage(ByteBuffer.wrap(pngs.get(i))).build()));
            }
            producer.flush();
        }
    }

    /** A read_committed reader of {@code predictions}, its group already at the end of the topic. */
    private static KafkaConsumer<String, byte[]> reader(LocalStack stack, String run) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + run, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(Set.of(Topics.PREDICTIONS.name()));
        return consumer;
    }

    /** Reads until {@code count} predictions whose ids start with {@code prefix} have arrived. */
    private static List<Prediction> awaitPredictions(KafkaConsumer<String, byte[]> reader, SchemaRegistryClient registry,
                                                     String prefix, int count) {
        AvroDeserializer<Prediction> predictions = AvroDeserializer.forClass(Prediction.class, registry);
        List<Prediction> found = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (found.size() < count && System.nanoTime() < deadline) {
            reader.poll(Duration.ofMillis(20)).forEach(r -> {
                if (r.key().startsWith(prefix + "-")) {
                    found.add(predictions.deserialize(r.topic(), r.value()));
                }
            });
        }
        return found;
    }

    /** The bundled LeNet-5, or an untrained ResNet-20 (speed does not depend on the weights). */
    private static ModelFile model(String arch) throws IOException {
        if (arch.equals("lenet5")) {
            return ModelFile.read(Path.of("models/fashion-lenet5.model"));
        }
        Network network = NetworkSpec.builtIn(arch, 1);
        new Initializer(Initializer.Scheme.HE, 1).initialise(network.graph());
        return new ModelFile(network, Normalisation.FASHION_MNIST, Dataset.FASHION_MNIST_CLASSES,
                new ModelInfo("bench-" + arch, 1, null, Instant.now(), Map.of()));
    }

    private static List<BufferedImage> sampleImages(int count) throws IOException {
        Dataset test = Dataset.readIdx(Path.of("convnet/src/test/resources/fashion-mnist-sample"), "t10k", Dataset.FASHION_MNIST_CLASSES);
        List<BufferedImage> images = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            images.add(test.picture(i % test.size()));
        }
        return images;
    }

    private static double[] stageSeconds(WorkerMetrics metrics) {
        return WorkerMetrics.STAGES.stream().mapToDouble(metrics::stageSeconds).toArray();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
