package pipeline.worker;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.images.DecodedImage;
import pipeline.images.ImageProbe;
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
 * record saying why it has none. Each record is read (Avro, field checks) and its image checked and
 * decoded on the {@link DecodePool}; the images that decode go through the model in one forward pass.
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
        DecodedImage[] images = new DecodedImage[n];
        @SuppressWarnings("unchecked")
        ProducerRecord<String, SpecificRecord>[] out = new ProducerRecord[n];
        LongAdder reading = new LongAdder();
        LongAdder decoding = new LongAdder();
        int[] input = snapshot.model().network().input();
        decoders.forEach(n, i -> {
            long start = System.nanoTime();
            ConsumerRecord<String, byte[]> record = batch.get(i);
            switch (intake.read(record)) {
                case Intake.Accepted<ImageEvent>(ImageEvent event) -> events[i] = event;
                case Intake.Refused<ImageEvent>(Refusal refusal) -> out[i] = refused(record, refusal);
            }
            long read = System.nanoTime();
            reading.add(read - start);
            if (events[i] != null) {
                images[i] = decode(record, events[i], input, out, i);
                decoding.add(System.nanoTime() - read);
            }
        });
        metrics.stage("read", reading.sum());
        metrics.stage("decode", decoding.sum());
        List<DecodedImage> decoded = Arrays.stream(images).filter(image -> image != null).toList();
        if (!decoded.isEmpty()) {
            Predictor.BatchPrediction result = predictor.predict(snapshot, decoded);
            metrics.stage("preprocess", result.preprocessMicros() * 1000);
            metrics.stage("inference", result.inferenceMicros() * 1000);
            metrics.batch(decoded.size(), result.inferenceMicros());
            long building = System.nanoTime();
            int next = 0;
            for (int i = 0; i < n; i++) {
                if (images[i] != null) {
                    metrics.queued(Math.max(0, batchStart - events[i].getTimestamp().toEpochMilli()));
                    out[i] = new ProducerRecord<>(Topics.PREDICTIONS.name(), events[i].getId(), prediction(events[i],
                            result.images().get(next++), snapshot, batchStart, result.inferenceMicros(), decoded.size()));
                }
            }
            metrics.stage("predictions", System.nanoTime() - building);
        }
        return Arrays.asList(out);
    }

    /**
     * The image, decoded no larger than the model's input {@code [C, H, W]} needs, or {@code null} with its
     * dead letter put in {@code out[i]}.
     */
    private DecodedImage decode(ConsumerRecord<String, byte[]> record, ImageEvent event, int[] input,
                                ProducerRecord<String, SpecificRecord>[] out, int i) {
        byte[] bytes = new byte[event.getImage().remaining()];
        event.getImage().duplicate().get(bytes);
        try {
            return probe.decode(bytes, input[2], input[1]);
        } catch (ImageProbe.RejectedImage e) {
            String code = e.reason().name();
            LOG.info("Dead letter {}/{}@{} ({}): image {}: {}", record.topic(), record.partition(), record.offset(), code,
                    event.getId(), e.getMessage());
            metrics.deadLetter(code);
            out[i] = DeadLetters.of(record, code, "image " + event.getId() + ": " + e.getMessage(), producerId);
            return null;
        }
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
