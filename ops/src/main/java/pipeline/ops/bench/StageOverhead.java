package pipeline.ops.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import pipeline.images.ImageProbe;
import pipeline.modelstore.ModelSnapshot;
import pipeline.ops.LocalStack;
import pipeline.schemas.avro.ImageEvent;
import pipeline.schemas.intake.RecordIntake;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.serde.AvroSerializer;
import pipeline.schemas.serde.SerdeOptions;
import pipeline.schemas.topics.Topics;
import pipeline.worker.BatchInference;
import pipeline.worker.DecodePool;
import pipeline.worker.Predictor;
import pipeline.worker.WorkerMetrics;

/**
 * What the worker spends per image besides resizing, normalising and the forward pass, stage by
 * stage, on one thread: consuming the records (a real consumer over a backlog on the local broker;
 * its thread's CPU time), reading them (Avro, field checks), decoding the images, building the
 * predictions, serialising them, and producing them in transactions of eight batches (CPU time of
 * the sending thread and the producer's network thread; a transaction's latency, mostly waiting on
 * the broker, is reported beside it). Each stage runs over the same images once to warm the JIT up,
 * then as many timed passes as asked; the table shows their medians.
 */
final class StageOverhead {

    /** Microseconds per image, by stage. */
    record Row(String feed, double consume, double read, double decode, double predictions, double serialise,
               double produce, double transactionMillis, double preprocess, double inference) {

        /** Everything but resize, normalise and the forward pass (serialising is inside producing). */
        double overhead() {
            return consume + read + decode + predictions + produce;
        }
    }

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private static final TopicPartition BACKLOG = new TopicPartition(Topics.IMAGES.name(), 0);

    private StageOverhead() {
    }

    /** The medians of {@code passes} timed passes, after one that warms up. */
    static Row measure(LocalStack stack, SchemaRegistryClient registry, BenchFeed feed, int passes) throws Exception {
        int n = feed.images().size();
        AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>(registry, SerdeOptions.DEFAULTS, false);
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(serializer.serialize(Topics.IMAGES.name(), ImageEvent.newBuilder().setId("overhead-" + i).setSource("bench")
                    .setTimestamp(Instant.now()).setContentType(feed.contentType()).setImage(ByteBuffer.wrap(feed.images().get(i))).build()));
        }
        long first = produceBacklog(stack, values);
        double[] consume = new double[passes + 1];
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        // The first pass ends with a fetch parked at the end of the log; after the seek back, the second
        // pass would wait out that fetch (500 ms by default) before its first records.
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(BACKLOG));
            for (int pass = 0; pass <= passes; pass++) {
                records.clear();
                consumer.seek(BACKLOG, first);
                long cpu = CPU.getCurrentThreadCpuTime();
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (records.size() < n && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                }
                consume[pass] = micros(CPU.getCurrentThreadCpuTime() - cpu, n);
            }
        }
        records = records.subList(0, Math.min(records.size(), n));
        ModelSnapshot snapshot = new ModelSnapshot(feed.model().info().name(), 1, feed.model());
        WorkerMetrics metrics = new WorkerMetrics(new AtomicReference<>(snapshot), () -> 0, () -> 0);
        List<List<ProducerRecord<String, SpecificRecord>>> outputs = new ArrayList<>();
        double[][] stages = new double[passes + 1][];
        try (DecodePool oneThread = new DecodePool(1)) {
            BatchInference inference = new BatchInference(RecordIntake.of(ImageEvent.class, registry), new ImageProbe(8192L * 8192),
                    new Predictor(5), oneThread, metrics, "bench-overhead");
            for (int pass = 0; pass <= passes; pass++) {
                double[] before = WorkerMetrics.STAGES.stream().mapToDouble(metrics::stageSeconds).toArray();
                outputs.clear();
                for (int from = 0; from < n; from += feed.batch()) {
                    outputs.add(inference.process(snapshot, records.subList(from, Math.min(n, from + feed.batch()))));
                }
                stages[pass] = new double[before.length];
                for (int i = 0; i < before.length; i++) {
                    stages[pass][i] = (metrics.stageSeconds(WorkerMetrics.STAGES.get(i)) - before[i]) * 1e6 / n;
                }
            }
        }
        double[] serialise = new double[passes + 1];
        for (int pass = 0; pass <= passes; pass++) {
            long cpu = CPU.getCurrentThreadCpuTime();
            outputs.forEach(batch -> batch.forEach(r -> serializer.serialize(r.topic(), r.value())));
            serialise[pass] = micros(CPU.getCurrentThreadCpuTime() - cpu, n);
        }
        double[] produce = new double[passes + 1];
        double[] transaction = new double[passes + 1];
        String clientId = "bench-overhead-" + System.nanoTime();
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(), ProducerConfig.TRANSACTIONAL_ID_CONFIG, clientId,
                ProducerConfig.CLIENT_ID_CONFIG, clientId, ProducerConfig.LINGER_MS_CONFIG, 1), new StringSerializer(), serializer)) {
            producer.initTransactions();
            Thread network = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("kafka-producer-network-thread | " + clientId)).findFirst().orElseThrow();
            for (int pass = 0; pass <= passes; pass++) {
                long cpu = CPU.getCurrentThreadCpuTime() + CPU.getThreadCpuTime(network.threadId());
                long start = System.nanoTime();
                int transactions = 0;
                for (int from = 0; from < outputs.size(); from += 8, transactions++) {
                    producer.beginTransaction();
                    outputs.subList(from, Math.min(outputs.size(), from + 8)).forEach(batch -> batch.forEach(producer::send));
                    producer.commitTransaction();
                }
                produce[pass] = micros(CPU.getCurrentThreadCpuTime() + CPU.getThreadCpuTime(network.threadId()) - cpu, n);
                transaction[pass] = (System.nanoTime() - start) / 1e6 / transactions;
            }
        }
        return new Row(feed.name(), median(consume), stage(stages, "read"), stage(stages, "decode"), stage(stages, "predictions"),
                median(serialise), median(produce), median(transaction), stage(stages, "preprocess"), stage(stages, "inference"));
    }

    /** Writes the values to partition 0 of {@code images}; the offset of the first. */
    private static long produceBacklog(LocalStack stack, List<byte[]> values) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer())) {
            long first = producer.send(new ProducerRecord<>(BACKLOG.topic(), BACKLOG.partition(), "overhead-0", values.getFirst()))
                    .get().offset();
            for (int i = 1; i < values.size(); i++) {
                producer.send(new ProducerRecord<>(BACKLOG.topic(), BACKLOG.partition(), "overhead-" + i, values.get(i)));
            }
            producer.flush();
            return first;
        }
    }

    /** The median over the timed passes of one of the batch core's stages. */
    private static double stage(double[][] passes, String name) {
        int at = WorkerMetrics.STAGES.indexOf(name);
        double[] values = new double[passes.length];
        for (int pass = 0; pass < passes.length; pass++) {
            values[pass] = passes[pass][at];
        }
        return median(values);
    }

    /** The median of the passes after the first (which warms up). */
    private static double median(double[] passes) {
        double[] timed = Arrays.copyOfRange(passes, 1, passes.length);
        Arrays.sort(timed);
        return timed[timed.length / 2];
    }

    private static double micros(long nanos, int images) {
        return nanos / 1e3 / images;
    }
}
