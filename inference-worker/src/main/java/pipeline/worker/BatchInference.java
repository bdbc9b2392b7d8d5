package pipeline.worker;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.convnet.tensor.Tensor;
import pipeline.images.DecodedImage;
import pipeline.images.ImageProbe;
import pipeline.modelstore.ModelInput;
import pipeline.modelstore.ModelSnapshot;
import pipeline.schemas.avro.ImageEvent;
import pipeline.schemas.avro.ModelRef;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.avro.ScoredLabel;
import pipeline.schemas.avro.Timings;
import pipeline.schemas.intake.Intake;
import pipeline.schemas.intake.RecordIntake;
import pipeline.schemas.intake.Refusal;
import pipeline.schemas.topics.DeadLetters;
import pipeline.schemas.topics.Topics;

/**
 * The worker's work on one batch, with no Kafka client in it: {@code images} records in, one output
 * record per input out, in input order — its {@code predictions} record, or its {@code images.dlq}
 * record saying why it has none. Each record is read (Avro, field checks), its image checked, decoded
 * and written into its row of the model's input (resized, normalised) on the {@link DecodePool}; the
 * images that decode go through the model in one forward pass.
 *
 * <p>A failure that is not the records' fault (the registry unreachable, the engine failing) is
 * thrown: the caller reads the batch again. Thread-safe for batches from several loops.
 */
public final class BatchInference {

    private static final Logger LOG = LoggerFactory.getLogger(BatchInference.class);

    private final RecordIntake<ImageEvent> intake;
    private final ImageProbe probe;
    private final Predictor predictor;
    private final DecodePool decoders;
    private final WorkerMetrics metrics;
    private final String producerId;

    /**
     * @param producerId who dead-letters, named in each dead letter (the loop's transactional id)
     */
    public BatchInference(RecordIntake<ImageEvent> intake, ImageProbe probe, Predictor predictor, DecodePool decoders,
                   WorkerMetrics metrics, String producerId) {
        this.intake = intake;
        this.probe = probe;
        this.predictor = predictor;
        this.decoders = decoders;
        this.metrics = metrics;
        this.producerId = producerId;
    }

    /** The outputs of {@code batch} under {@code snapshot}: one per record, in order. */
    public List<ProducerRecord<String, SpecificRecord>> process(ModelSnapshot snapshot, List<ConsumerRecord<String, byte[]>> batch) {
        long batchStart = System.currentTimeMillis();
        int n = batch.size();
        ImageEvent[] events = new ImageEvent[n];
        @SuppressWarnings("unchecked")
        ProducerRecord<String, SpecificRecord>[] out = new ProducerRecord[n];
        LongAdder reading = new LongAdder();
        LongAdder decoding = new LongAdder();
        LongAdder preprocessing = new LongAdder();
        ModelInput modelInput = snapshot.input();
        // Each decode thread writes its images into their own rows; rows of images that fail stay empty.
        Tensor input = modelInput.emptyBatch(n);
        decoders.forEach(n, i -> {
            long start = System.nanoTime();
            ConsumerRecord<String, byte[]> record = batch.get(i);
            switch (intake.read(record)) {
                case Intake.Accepted<ImageEvent>(ImageEvent event) -> events[i] = event;
                case Intake.Refused<ImageEvent>(Refusal refusal) -> out[i] = refused(record, refusal);
            }
            long read = System.nanoTime();
            reading.add(read - start);
            if (events[i] == null) {
                return;
            }
            DecodedImage image = decode(record, events[i], modelInput, out, i);
            long decoded = System.nanoTime();
            decoding.add(decoded - read);
            if (image != null) {
                modelInput.write(input, i, image);
                preprocessing.add(System.nanoTime() - decoded);
            }
        });
        metrics.stage("read", reading.sum());
        metrics.stage("decode", decoding.sum());
        metrics.stage("preprocess", preprocessing.sum());
        int[] rows = IntStream.range(0, n).filter(i -> out[i] == null).toArray();
        if (rows.length > 0) {
            Predictor.BatchPrediction result = predictor.predict(snapshot, rows.length == n ? input : onlyRows(input, rows));
            metrics.stage("inference", result.inferenceMicros() * 1000);
            metrics.batch(rows.length, result.inferenceMicros());
            long building = System.nanoTime();
            for (int r = 0; r < rows.length; r++) {
                ImageEvent event = events[rows[r]];
                metrics.queued(Math.max(0, batchStart - event.getTimestamp().toEpochMilli()));
                out[rows[r]] = new ProducerRecord<>(Topics.PREDICTIONS.name(), event.getId(), prediction(event,
                        result.images().get(r), snapshot, batchStart, result.inferenceMicros(), rows.length));
            }
            metrics.stage("predictions", System.nanoTime() - building);
        }
        return Arrays.asList(out);
    }

    /** The given items of {@code batch} {@code [N, …]}, in order: a batch without the images that failed. */
    private static Tensor onlyRows(Tensor batch, int[] rows) {
        int size = batch.size() / batch.dim(0);
        int[] shape = batch.shape().clone();
        shape[0] = rows.length;
        Tensor kept = Tensor.zeros(shape);
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(batch.data(), rows[r] * size, kept.data(), r * size, size);
        }
        return kept;
    }

    /**
     * The image, decoded no larger than the model's input needs (as its resize policy takes it), or {@code null} with its
     * dead letter put in {@code out[i]}.
     */
    private DecodedImage decode(ConsumerRecord<String, byte[]> record, ImageEvent event, ModelInput input,
                                ProducerRecord<String, SpecificRecord>[] out, int i) {
        byte[] bytes = bytes(event.getImage());
        try {
            return input.decode(probe, bytes);
        } catch (ImageProbe.RejectedImage e) {
            String code = e.reason().name();
            LOG.info("Dead letter {}/{}@{} ({}): image {}: {}", record.topic(), record.partition(), record.offset(), code,
                    event.getId(), e.getMessage());
            metrics.deadLetter(code);
            out[i] = DeadLetters.of(record, code, "image " + event.getId() + ": " + e.getMessage(), producerId);
            return null;
        }
    }

    /** The buffer's bytes: its own array when it is exactly that (as Avro reads them), else a copy. */
    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.position() == 0 && buffer.remaining() == buffer.array().length) {
            return buffer.array();
        }
        byte[] copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        return copy;
    }

    /** The intake has logged why; counted among the dead letters by its code. */
    private ProducerRecord<String, SpecificRecord> refused(ConsumerRecord<String, byte[]> record, Refusal refusal) {
        metrics.deadLetter(refusal.code());
        return DeadLetters.of(record, refusal.code(), refusal.message(), producerId);
    }

    private static Prediction prediction(ImageEvent event, Predictor.ImagePrediction answer, ModelSnapshot snapshot,
                                         long batchStart, long inferenceMicros, int batchSize) {
        List<ScoredLabel> top = answer.topK().stream().map(s -> new ScoredLabel(s.label(), s.probability())).toList();
        List<Float> embedding = new ArrayList<>(answer.embedding().length);
        for (float v : answer.embedding()) {
            embedding.add(v);
        }
        return Prediction.newBuilder()
                .setImageId(event.getId())
                .setSource(event.getSource())
                .setModel(new ModelRef(snapshot.name(), snapshot.version()))
                .setTopK(top)
                .setEmbedding(embedding)
                .setTimings(new Timings(Math.max(0, batchStart - event.getTimestamp().toEpochMilli()), inferenceMicros, batchSize))
                .setTimestamp(Instant.now())
                .setAttributes(event.getAttributes())
                .build();
    }
}
