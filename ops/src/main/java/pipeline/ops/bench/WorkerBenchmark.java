package pipeline.ops.bench;

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
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import pipeline.convnet.tensor.Tensor;
import pipeline.images.DecodedImage;
import pipeline.images.ImageProbe;
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
 * The worker measured on a real local stack this command starts and stops, in two tables.
 *
 * <p>Per-image overhead: what the worker spends per image besides resize, normalise and the forward
 * pass, stage by stage on one thread ({@link StageOverhead}), for 28×28 PNGs and 640×480 JPEGs.
 *
 * <p>Through Kafka against the engine alone, same model and batch size: the Kafka path is timed
 * after a warm-up batch, from the first image sent to the last prediction read (produce, consume,
 * Avro, decode, resize, inference, Avro, transactional produce and offset commit, read); the image
 * records are encoded (PNG or JPEG, then Avro) before the clock starts, as a client would have them,
 * and the predictions read are decoded after it stops. The engine alone runs forward
 * passes on batches already decoded and normalised. The two alternate run by run, each Kafka run
 * carrying at least {@value #STEADY_SECONDS} s of the engine's work (images repeated in turn), and the
 * table gives medians, the ratio's over the runs' own ratios.
 *
 * <p>Beside a trainer round: the Kafka path again, alone and while another JVM trains ({@link TrainingLoad}),
 * in turns; medians of each.
 *
 * <pre>
 * ./pipeline bench-worker [IMAGES [REPEATS]]     defaults 2000, 3 (distinct images: ResNet-20 IMAGES/4, MobileNetV2 IMAGES/16)
 * </pre>
 */
public final class WorkerBenchmark {

    /** The trainer's default {@code trainer.yield-lag}. */
    private static final int TRAINER_YIELD_LAG = 256;

    /** The least engine time, in seconds, that a through-Kafka run of the table carries. */
    private static final double STEADY_SECONDS = 2;

    private WorkerBenchmark() {
    }

    public static void run(int images, int repeats, PrintStream out) throws Exception {
        Path dataDir = Files.createTempDirectory("bench-stack-");
        try (LocalStack stack = LocalStack.start(new StackOptions(dataDir, 0, 0, 0, 0, ApicurioRegistry.defaultHome(),
                Duration.ofMinutes(2)));
             SchemaRegistryClient registry = new SchemaRegistryClient(RegistryClientOptions.of(stack.registryUrl()))) {
            int photos = Math.max(32, images / 16);
            out.printf("Per-image overhead on one thread (µs per image; overhead = consume + read + decode + predictions + produce)%n%n");
            out.printf("| images | consume | read | decode | predictions | serialise | produce (incl. serialise) | **overhead** | transaction latency (ms) | beside it: preprocess | inference |%n");
            out.printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |%n");
            for (BenchFeed feed : List.of(BenchFeed.fashionPngs("lenet5", 32, images), BenchFeed.photoJpegs("mobilenetv2", 32, photos))) {
                StageOverhead.Row r = StageOverhead.measure(stack, registry, feed, Math.max(3, repeats));
                out.printf("| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | **%.1f** | %.1f | %.1f | %.1f |%n", r.feed(), r.consume(),
                        r.read(), r.decode(), r.predictions(), r.serialise(), r.produce(), r.overhead(), r.transactionMillis(),
                        r.preprocess(), r.inference());
            }
            out.printf("%nThrough Kafka against the engine alone%n%n");
            out.printf("| model, images | batch | images per Kafka run | engine alone (img/s) | through Kafka (img/s) | Kafka / engine (median of runs) | batch sizes seen | images per transaction | queue time p50 / p99 (ms) | worker loop µs per image by stage | CPU µs per image (median run) |%n");
            out.printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |%n");
            // A broker just started spends half its CPU compiling (perf: C1 and C2 threads); one untimed run through
            // the whole path first, so the timed ones measure a warm broker, as a running system has.
            throughKafka(stack, registry, BenchFeed.fashionPngs("lenet5", 32, images), 2, NOTHING_BESIDE);
            Map<String, BenchFeed> steady = new HashMap<>();
            for (BenchFeed feed : List.of(BenchFeed.fashionPngs("lenet5", 32, images), BenchFeed.fashionPngs("lenet5", 128, images),
                    BenchFeed.fashionPngs("resnet20", 32, images / 4), BenchFeed.photoJpegs("mobilenetv2", 32, photos))) {
                // The two columns in turns, so that the machine's drift (large on these shared machines) falls on
                // both alike; each Kafka run sends at least STEADY_SECONDS of the engine's work, so that the
                // pipeline's fill and drain (max-delay, transaction span, the last commit) weigh little.
                double[] engine = new double[repeats];
                double[] kafka = new double[repeats];
                double[] ratios = new double[repeats];
                KafkaRun[] runs = new KafkaRun[repeats];
                for (int r = 0; r < repeats; r++) {
                    engine[r] = engineAlone(feed, 1);
                    runs[r] = throughKafka(stack, registry, feed.repeatedTo((int) Math.ceil(engine[r] * STEADY_SECONDS)), 1, NOTHING_BESIDE);
                    kafka[r] = runs[r].imagesPerSecond();
                    ratios[r] = kafka[r] / engine[r];
                }
                // The stage, CPU and latency columns are those of the run whose ratio is the median.
                KafkaRun mid = runs[medianIndex(ratios)];
                steady.put(feed.name() + "/" + feed.batch(), feed.repeatedTo(mid.images()));
                out.printf("| %s | %d | %d | %.0f | %.0f | **%.0f %%** | %s | %.0f | %d / %d | %s | %s |%n", feed.name(), feed.batch(),
                        mid.images(), median(engine), median(kafka), 100 * median(ratios), mid.batchSizes(), mid.perTransaction(),
                        mid.queueP50(), mid.queueP99(), mid.stages(), mid.cpu());
            }
            out.printf("%nThe worker beside a trainer round (a JVM fine-tuning LeNet-5 as the trainer does, one engine thread, under SCHED_IDLE)%n%n");
            out.printf("| model, images | batch | through Kafka alone (img/s) | beside training that yields (img/s) | drop | beside training that does not (img/s) | drop | CPU µs per image beside training that does not |%n");
            out.printf("| --- | --- | --- | --- | --- | --- | --- | --- |%n");
            for (BenchFeed feed : List.of(steady.get("lenet5, 28×28 PNG/32"), steady.get("resnet20, 28×28 PNG/32"))) {
                // Alone and beside the two kinds of training in turns, so that the machine's drift falls on all alike.
                double[] alone = new double[repeats];
                double[] yielding = new double[repeats];
                double[] notYielding = new double[repeats];
                String cpu = "";
                for (int r = 0; r < repeats; r++) {
                    alone[r] = throughKafka(stack, registry, feed, 1, NOTHING_BESIDE).imagesPerSecond();
                    yielding[r] = throughKafka(stack, registry, feed, 1,
                            group -> TrainingLoad.start(stack.bootstrapServers(), group, TRAINER_YIELD_LAG)).imagesPerSecond();
                    KafkaRun run = throughKafka(stack, registry, feed, 1, group -> TrainingLoad.start(stack.bootstrapServers(), group, 0));
                    notYielding[r] = run.imagesPerSecond();
                    cpu = run.cpu();
                }
                out.printf("| %s | %d | %.0f | %.0f | %.0f %% | %.0f | %.0f %% | %s |%n", feed.name(), feed.batch(), median(alone),
                        median(yielding), 100 * (1 - median(yielding) / median(alone)), median(notYielding),
                        100 * (1 - median(notYielding) / median(alone)), cpu);
            }
        }
    }

    /** Something running beside a Kafka run, started once the run's worker group exists: a training load. */
    private interface Beside {
        AutoCloseable start(String workerGroup) throws Exception;
    }

    private static final Beside NOTHING_BESIDE = group -> () -> { };

    private record KafkaRun(int images, double imagesPerSecond, String batchSizes, double perTransaction, long queueP50, long queueP99,
                            String stages, String cpu) {}

    /** CPU time so far of this JVM (worker, bench producer and reader), the broker and the registry. */
    private static long[] cpuNanos(LocalStack stack) {
        long[] nanos = new long[3];
        nanos[0] = cpuNanos(ProcessHandle.current());
        for (int i = 0; i < 2; i++) {
            nanos[i + 1] = ProcessHandle.of(stack.pids().get(i)).map(WorkerBenchmark::cpuNanos).orElse(0L);
        }
        return nanos;
    }

    private static long cpuNanos(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /** Forward passes over batches decoded and normalised beforehand; images/s, median of {@code repeats}. */
    private static double engineAlone(BenchFeed feed, int repeats) throws Exception {
        ModelSnapshot snapshot = new ModelSnapshot(feed.model().info().name(), 1, feed.model());
        ImageProbe probe = new ImageProbe(8192L * 8192);
        List<DecodedImage> decoded = new ArrayList<>();
        for (byte[] image : feed.images()) {
            decoded.add(probe.decode(image));
        }
        List<Tensor> batches = new ArrayList<>();
        for (int from = 0; from < decoded.size(); from += feed.batch()) {
            batches.add(snapshot.input().batch(decoded.subList(from, Math.min(decoded.size(), from + feed.batch()))));
        }
        snapshot.serving().infer(batches.getFirst());
        double[] rates = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long start = System.nanoTime();
            for (Tensor input : batches) {
                snapshot.serving().infer(input);
            }
            rates[r] = decoded.size() / ((System.nanoTime() - start) / 1e9);
        }
        return median(rates);
    }

    /** {@code repeats} runs, each with {@code beside} running from before its warm-up to its end; the median run. */
    private static KafkaRun throughKafka(LocalStack stack, SchemaRegistryClient registry, BenchFeed feed, int repeats, Beside beside)
            throws Exception {
        double[] rates = new double[repeats];
        List<Prediction> last = List.of();
        String stages = "";
        String cpu = "";
        double perTransaction = 0;
        int count = feed.images().size();
        for (int r = 0; r < repeats; r++) {
            String run = feed.model().info().name() + "-" + feed.batch() + "-" + r + "-" + System.nanoTime();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
                ConsumerGroups.startAtEnd(admin, "bench-" + run, Topics.IMAGES.name());
                ConsumerGroups.startAtEnd(admin, "bench-reader-" + run, Topics.PREDICTIONS.name());
            }
            WorkerSettings settings = new WorkerSettings(stack.bootstrapServers(), stack.registryUrl(), "bench-" + run, run,
                    feed.batch(), Duration.ofMillis(20), 5, 8192L * 8192, Path.of("unused"), 1, Duration.ofSeconds(10),
                    Duration.ofSeconds(20), "127.0.0.1", 0);
            AtomicReference<ModelSnapshot> served = new AtomicReference<>(new ModelSnapshot(feed.model().info().name(), 1, feed.model()));
            WorkerMetrics metrics = new WorkerMetrics(served, () -> 0, () -> 0);
            InferenceLoop loop = new InferenceLoop(settings, registry, served, 0, metrics);
            Thread worker = Thread.ofPlatform().name("bench-loop").start(loop);
            List<byte[]> warm = encoded(registry, run + "-warm", feed.contentType(), feed.images().subList(0, Math.min(feed.batch(), count)));
            List<byte[]> timed = encoded(registry, run + "-timed", feed.contentType(), feed.images());
            try (AutoCloseable alongside = beside.start("bench-" + run); KafkaConsumer<String, byte[]> reader = reader(stack, run);
                 KafkaProducer<String, byte[]> producer = producer(stack)) {
                // Warm up: both groups joined, transactions initialised, schemas cached, code compiled.
                produce(producer, run + "-warm", warm);
                awaitPredictions(reader, run + "-warm", warm.size());
                double[] before = stageSeconds(metrics);
                double transactionsBefore = metrics.transactions();
                long[] cpuBefore = cpuNanos(stack);
                long start = System.nanoTime();
                produce(producer, run + "-timed", timed);
                List<byte[]> answers = awaitPredictions(reader, run + "-timed", count);
                rates[r] = count / ((System.nanoTime() - start) / 1e9);
                long[] cpuAfter = cpuNanos(stack);
                cpu = String.format("this JVM %d, broker %d, registry %d", (cpuAfter[0] - cpuBefore[0]) / 1000 / count,
                        (cpuAfter[1] - cpuBefore[1]) / 1000 / count, (cpuAfter[2] - cpuBefore[2]) / 1000 / count);
                AvroDeserializer<Prediction> predictions = AvroDeserializer.forClass(Prediction.class, registry);
                last = answers.stream().map(a -> predictions.deserialize(Topics.PREDICTIONS.name(), a)).toList();
                double[] after = stageSeconds(metrics);
                StringBuilder perImage = new StringBuilder();
                for (int i = 0; i < WorkerMetrics.STAGES.size(); i++) {
                    perImage.append(i == 0 ? "" : ", ").append(WorkerMetrics.STAGES.get(i)).append(' ')
                            .append(Math.round((after[i] - before[i]) * 1e6 / count));
                }
                stages = perImage.toString();
                perTransaction = count / Math.max(1, metrics.transactions() - transactionsBefore);
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
        return new KafkaRun(count, median(rates), sizes.toString(), perTransaction, queued[queued.length / 2],
                queued[(int) (queued.length * 0.99)], stages, cpu);
    }

    /** The images as {@code images} record values, Avro-encoded as a client would have them before sending. */
    private static List<byte[]> encoded(SchemaRegistryClient registry, String run, String contentType, List<byte[]> images) {
        AvroSerializer<SpecificRecord> avro = new AvroSerializer<>(registry, SerdeOptions.DEFAULTS, false);
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            values.add(avro.serialize(Topics.IMAGES.name(), ImageEvent.newBuilder().setId(run + "-" + i).setSource("bench")
                    .setTimestamp(Instant.now()).setContentType(contentType).setImage(ByteBuffer.wrap(images.get(i))).build()));
        }
        return values;
    }

    /** Sends the encoded records as fast as the producer goes, keyed {@code run-i}. */
    private static void produce(KafkaProducer<String, byte[]> producer, String run, List<byte[]> values) {
        for (int i = 0; i < values.size(); i++) {
            producer.send(new ProducerRecord<>(Topics.IMAGES.name(), run + "-" + i, values.get(i)));
        }
        producer.flush();
    }

    private static KafkaProducer<String, byte[]> producer(LocalStack stack) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer());
    }

    /** A read_committed reader of {@code predictions}, its group already at the end of the topic. */
    private static KafkaConsumer<String, byte[]> reader(LocalStack stack, String run) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + run, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(Set.of(Topics.PREDICTIONS.name()));
        return consumer;
    }

    /** Reads until {@code count} predictions whose ids start with {@code prefix} have arrived; their values, still encoded. */
    private static List<byte[]> awaitPredictions(KafkaConsumer<String, byte[]> reader, String prefix, int count) {
        List<byte[]> found = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (found.size() < count && System.nanoTime() < deadline) {
            reader.poll(Duration.ofMillis(20)).forEach(r -> {
                if (r.key().startsWith(prefix + "-")) {
                    found.add(r.value());
                }
            });
        }
        return found;
    }

    private static double[] stageSeconds(WorkerMetrics metrics) {
        return WorkerMetrics.STAGES.stream().mapToDouble(metrics::stageSeconds).toArray();
    }

    private static double median(double[] values) {
        return values[medianIndex(values)];
    }

    /** Where the median of {@code values} is (the upper one of an even count). */
    private static int medianIndex(double[] values) {
        Integer[] order = new Integer[values.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        return order[values.length / 2];
    }
}
