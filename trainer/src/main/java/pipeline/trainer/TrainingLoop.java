package pipeline.trainer;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.train.Evaluation;
import pipeline.modelstore.ModelRecords;
import pipeline.schemas.avro.InputSpec;
import pipeline.schemas.avro.LabelledImage;
import pipeline.schemas.avro.ModelRef;
import pipeline.schemas.avro.ModelStatus;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.avro.TrainingMetrics;
import pipeline.schemas.intake.Intake;
import pipeline.schemas.intake.RecordIntake;
import pipeline.schemas.intake.Refusal;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.DeadLetters;
import pipeline.schemas.topics.KafkaAccessException;
import pipeline.schemas.topics.KafkaClients;
import pipeline.schemas.topics.ModelKey;
import pipeline.schemas.topics.Topics;

/**
 * The training loop: reads {@code labels} into {@link TrainingData} (replay buffer and held-out
 * set), and every {@code round-labels} new training labels (or {@code round-interval} with at
 * least one) runs a {@link TrainingRound} from the promoted version or the last candidate not clearly worse
 * than it. The candidate is published as PROMOTED when the {@link PromotionGate} lets it through,
 * else as REJECTED, with its metrics, parent and samples seen; both evaluations go to
 * {@code training-metrics}; all of it in one transaction with the {@code labels} offsets read.
 * While the inference workers are behind ({@link ServingPressure}), a due round waits and a running
 * one pauses between steps, so that training takes the CPU serving leaves.
 *
 * <p>On start it reads the tail of {@code labels} before its committed offsets again to refill the
 * buffers (those labels are not counted as new), so a restart resumes from the latest published
 * version with the samples it had. A label it cannot use goes to {@code images.dlq} with a reason.
 * {@link #stop} cancels a round in progress (nothing of it is published) and ends the loop.
 */
public final class TrainingLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);
    /** How long after a round that could not be published the next one starts. */
    private static final Duration RETRY = Duration.ofSeconds(5);
    /** Metadata of the committed offsets: {@code history-start=<offset>}. */
    private static final String HISTORY_START = "history-start=";

    private final TrainerSettings settings;
    private final SchemaRegistryClient registry;
    private final ModelLineage lineage;
    private final VersionPublisher publisher;
    private final TrainerMetrics metrics;
    private final TrainingRound round;
    private final TrainingData data;
    private volatile boolean stopping;
    private volatile boolean ready;
    private volatile String failure;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private SampleDecoder decoder;
    private final NewClassLabels newClasses;
    private int decoderVersion;
    /** The promoted version candidates must beat, as this loop last knew it. */
    private int promotedVersion;
    /** What the next round fine-tunes: the promoted version, or the last candidate not clearly worse than it. */
    private TrainingRound.Version base;
    /** What the base's lineage showed against the promoted version on labels neither had learnt from (reset with the base). */
    private PromotionGate.Tally lineageEvidence = PromotionGate.Tally.NONE;
    /** Training-side labels read since the last published round (or since start). */
    private long newLabels;
    private long lastRound = System.nanoTime();
    private long retryAt = System.nanoTime();
    private boolean waitingLogged;
    private final ServingPressure serving;
    /** The labels of this trainer's model; others' are passed over. */
    private final LabelScope scope;
    /** Time the running round has paused for the workers so far. */
    private Duration yielded = Duration.ZERO;
    /** Refused labels for {@code images.dlq}, published with the next transaction. */
    private final List<ProducerRecord<String, SpecificRecord>> deadLetters = new ArrayList<>();
    /** Per partition, the offset after the last label taken into the buffers: what a transaction commits. */
    private final Map<TopicPartition, OffsetAndMetadata> taken = new HashMap<>();
    /** Per partition, the first offset this trainer's group ever read: a refill goes no further back. */
    private final Map<TopicPartition, Long> historyStart = new HashMap<>();

    /**
     * @param lineage already caught up, with a promoted version (see {@link ColdStart})
     * @throws IOException when {@code trainer.replay-data} is set and does not read as images the model takes
     */
    TrainingLoop(TrainerSettings settings, SchemaRegistryClient registry, ModelLineage lineage, VersionPublisher publisher)
            throws IOException {
        this.settings = settings;
        this.registry = registry;
        this.lineage = lineage;
        this.publisher = publisher;
        this.round = new TrainingRound(settings.round(), settings.gate());
        this.data = new TrainingData(settings, sampleBytes(lineage.promoted().record().getInput()), startReplay(settings, lineage));
        this.newClasses = new NewClassLabels(settings.newClassMinLabels());
        this.metrics = new TrainerMetrics(() -> data.buffer().size(), data::heldOutSize, lineage::skippedRecords);
        this.scope = settings.scope();
        this.serving = new ServingPressure(settings.kafka(), settings.servingGroup(), settings.imagesTopic(),
                settings.yieldLag());
    }

    /** {@code trainer.replay-data} as the promoted version takes it, at most as many images as the buffer keeps. */
    private static StartReplay startReplay(TrainerSettings settings, ModelLineage lineage) throws IOException {
        if (settings.replayData() == null || settings.replayShare() == 0) {
            return StartReplay.NONE;
        }
        ModelLineage.Promoted promoted = lineage.promoted();
        ModelFile model = ModelFile.fromBytes(promoted.weights(), "model v" + promoted.version());
        StartReplay replay = StartReplay.load(settings.replayData(), model, settings.replayShare(), settings.bufferSize(),
                settings.round().seed());
        LOG.info("Replaying {} images of {} as {}% of every round's draws", replay.data().size(), settings.replayData(),
                Math.round(100 * settings.replayShare()));
        return replay;
    }

    /** One sample's pixels for a model of this input: channels × height × width bytes. */
    private static int sampleBytes(InputSpec input) {
        return input.getChannels() * input.getHeight() * input.getWidth();
    }

    public TrainerMetrics metrics() {
        return metrics;
    }

    /** The loop reads {@code labels} with a promoted version to fine-tune. */
    public boolean ready() {
        return ready && !stopping;
    }

    /** Why the loop ended on its own (fenced, or an unexpected error), or {@code null}. */
    public String failure() {
        return failure;
    }

    public void stop() {
        stopping = true;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    @Override
    public void run() {
        RecordIntake<LabelledImage> labels = RecordIntake.of(LabelledImage.class, registry);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerConfig(), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            if (stopping) {
                return;
            }
            Map<TopicPartition, Long> resumeAt = refillFrom(c);
            metrics.promotedVersion(lineage.promoted().version());
            ready = true;
            LOG.info("Training {} from v{}: rounds every {} new labels or {} s, {}% of images held out (by their pixels)", settings.modelName(),
                    lineage.promoted().version(), settings.roundLabels(), settings.roundInterval().toSeconds(), settings.heldOutPercent());
            if (data.bufferCapacity() < settings.bufferSize()) {
                LOG.info("Keeping at most {} training and {} held-out samples ({} and {} asked for): {} bytes each, {} of sample memory",
                        data.bufferCapacity(), data.heldOutCapacity(), settings.bufferSize(), settings.heldOutSize(),
                        data.sampleBytes(), settings.sampleMemory());
            }
            while (!stopping) {
                labels.readAll(c, c.poll(Duration.ofMillis(500)), (record, read) -> {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    take(record, read, record.offset() < resumeAt.getOrDefault(partition, 0L));
                    taken.put(partition, new OffsetAndMetadata(record.offset() + 1, HISTORY_START + historyStart.get(partition)));
                    if (roundDue()) {
                        runRound(c);
                    }
                });
                if (!deadLetters.isEmpty()) {
                    publisher.publish(List.copyOf(deadLetters), Map.copyOf(taken), c.groupMetadata());
                    deadLetters.clear();
                }
                if (roundDue()) {
                    runRound(c);
                }
            }
        } catch (WakeupException e) {
            // stop() was called.
        } catch (ProducerFencedException e) {
            failure = "another trainer of " + settings.modelName() + " has started (transactional id " + settings.transactionalId() + ")";
            LOG.error("{}; this one stops", failure);
        } catch (RuntimeException e) {
            KafkaAccessException refusal = KafkaAccessException.behind("trainer", e).orElse(null);
            if (refusal != null) {
                failure = refusal.getMessage();
                LOG.error("The training loop stops: {}", failure);
            } else {
                failure = e.toString();
                LOG.error("The training loop failed; nothing after the last published version is lost, a restart reads it again", e);
            }
        } finally {
            ready = false;
            serving.close();
        }
    }

    /**
     * Seeks each {@code labels} partition back from its committed offset by its share of the buffers
     * (never before the group's first read, which each commit carries as metadata, so offsets set
     * by hand mean "start here"), so they fill again; returns the committed offsets, from where
     * labels count as new.
     */
    private Map<TopicPartition, Long> refillFrom(KafkaConsumer<String, byte[]> c) {
        List<TopicPartition> partitions = c.partitionsFor(Topics.LABELS.name(), Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        c.assign(partitions);
        Map<TopicPartition, OffsetAndMetadata> committed = c.committed(new HashSet<>(partitions));
        Map<TopicPartition, Long> beginning = c.beginningOffsets(partitions);
        long share = ((long) settings.bufferSize() + settings.heldOutSize()) / partitions.size() + 1;
        Map<TopicPartition, Long> resumeAt = new HashMap<>();
        for (TopicPartition p : partitions) {
            OffsetAndMetadata done = committed.get(p);
            long resume = done == null ? beginning.get(p) : done.offset();
            long start = Math.max(beginning.get(p), done == null ? resume : historyStart(done, resume));
            historyStart.put(p, start);
            resumeAt.put(p, resume);
            taken.put(p, new OffsetAndMetadata(resume, HISTORY_START + start));
            c.seek(p, Math.max(start, resume - share));
        }
        LOG.info("Reading {} again before {} to refill the buffers; labels from there on are new", Topics.LABELS.name(), resumeAt);
        return resumeAt;
    }

    /** The history start a trainer committed with {@code done}, or {@code resume} when it was committed otherwise. */
    private static long historyStart(OffsetAndMetadata done, long resume) {
        String metadata = done.metadata();
        if (metadata != null && metadata.startsWith(HISTORY_START)) {
            try {
                return Long.parseLong(metadata.substring(HISTORY_START.length()));
            } catch (NumberFormatException e) {
                return resume;
            }
        }
        return resume;
    }

    private void take(ConsumerRecord<String, byte[]> record, Intake<LabelledImage> read, boolean replayed) {
        if (!(read instanceof Intake.Accepted<LabelledImage>(LabelledImage labelled))) {
            Refusal refusal = ((Intake.Refused<LabelledImage>) read).refusal();
            refuse(record, refusal.code(), refusal.message(), replayed, false);
            return;
        }
        if (!scope.takes(labelled.getModel())) {
            return;
        }
        Sample sample;
        try {
            sample = decoder().decode(record.key(), labelled);
        } catch (SampleDecoder.Refused e) {
            refuse(record, e.code, e.getMessage(), replayed, true);
            return;
        }
        boolean held = data.add(sample);
        newClasses.count(sample, lineage.promotedClasses());
        if (!replayed) {
            metrics.label(held);
            if (!held) {
                newLabels++;
            }
        }
    }

    /** Decodes for the promoted version's input and classes; rebuilt when another version is promoted. */
    private SampleDecoder decoder() {
        ModelLineage.Promoted promoted = lineage.promoted();
        if (decoder == null || decoderVersion != promoted.version()) {
            try {
                decoder = new SampleDecoder(ModelFile.fromBytes(promoted.weights(), "model v" + promoted.version()),
                        settings.newClasses() == TrainerSettings.NewClasses.GROW);
                decoderVersion = promoted.version();
            } catch (IOException e) {
                throw new IllegalStateException("v" + promoted.version() + " passed verification but does not read", e);
            }
        }
        return decoder;
    }

    /**
     * Dead-letters a label; one read again on a restart was dead-lettered the first time. {@code log}:
     * whether to say so here ({@link RecordIntake} has logged its own refusals).
     */
    private void refuse(ConsumerRecord<String, byte[]> record, String code, String message, boolean replayed, boolean log) {
        if (replayed) {
            return;
        }
        metrics.refused(code);
        if (log) {
            LOG.warn("Label {}/{}@{} refused ({}): {}", record.topic(), record.partition(), record.offset(), code, message);
        }
        deadLetters.add(DeadLetters.of(record, code, message, settings.transactionalId()));
    }

    private boolean roundDue() {
        if (System.nanoTime() - retryAt < 0) {
            return false;
        }
        boolean due = newLabels >= settings.roundLabels()
                || (newLabels > 0 && System.nanoTime() - lastRound >= settings.roundInterval().toNanos());
        if (due && !data.canJudge()) {
            if (!waitingLogged) {
                LOG.info("{} new labels, but only {} of the {} held-out samples needed to judge a candidate", newLabels,
                        data.heldOutSize(), data.heldOutNeeded());
                waitingLogged = true;
            }
            return false;
        }
        if (due && serving.servingBehind()) {
            if (!waitingLogged) {
                LOG.info("A round is due, but the workers are {} images behind (trainer.yield-lag {}); it waits for them",
                        serving.lag(), settings.yieldLag());
                waitingLogged = true;
            }
            return false;
        }
        return due;
    }

    /**
     * After each step of a round: pauses while the workers are behind (for at most what is left of
     * {@code trainer.max-yield} this round, so the labels' consumer keeps polling in time), then says
     * whether the round is to stop.
     */
    private boolean betweenSteps() {
        Duration paused = serving.yieldWhileBehind(settings.maxYield().minus(yielded), () -> stopping);
        yielded = yielded.plus(paused);
        metrics.yielded(paused);
        return stopping;
    }

    /**
     * Runs a round and publishes its outcome with the refused labels not yet published and the
     * offsets taken.
     */
    private void runRound(KafkaConsumer<String, byte[]> c) {
        lineage.catchUp();
        ModelLineage.Promoted promoted = lineage.promoted();
        TrainingRound.Version served = new TrainingRound.Version(promoted.version(), promoted.weights());
        if (base == null || promoted.version() != promotedVersion) {
            if (base != null) {
                LOG.info("v{} was promoted elsewhere (this trainer was beating v{}); fine-tuning it from now on",
                        promoted.version(), promotedVersion);
            }
            promotedVersion = promoted.version();
            base = served;
            lineageEvidence = PromotionGate.Tally.NONE;
            metrics.promotedVersion(promotedVersion);
        }
        int version = lineage.highestVersion() + 1;
        List<String> growing = readyNewClasses();
        Map<TopicPartition, OffsetAndMetadata> offsets = Map.copyOf(taken);
        long start = System.nanoTime();
        TrainingRound.Outcome outcome;
        try {
            yielded = Duration.ZERO;
            metrics.roundRunning(true);
            outcome = round.run(base, served, version, data.buffer(), data.heldOut(),
                    new TrainingRound.Lineage(data.takeUnseen(), lineageEvidence), growing, this::betweenSteps);
        } catch (RoundCancelledException e) {
            LOG.info("{}", e.getMessage());
            return;
        } catch (IOException e) {
            throw new IllegalStateException("v" + base.number() + " passed verification but does not read", e);
        } finally {
            metrics.roundRunning(false);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        lineage.catchUp();
        if (lineage.highestVersion() >= version) {
            // Someone else (pipeline models publish, say) took the number while the round trained: a record under
            // the same key would replace theirs on the compacted topic. The labels stay for the next round.
            LOG.warn("{} v{} was published elsewhere while this round trained; its candidate is dropped", settings.modelName(),
                    version);
            return;
        }
        metrics.round(took, outcome.promotedScore().accuracy(), outcome.candidateScore().accuracy());
        ModelStatus status = outcome.verdict().promote() ? ModelStatus.PROMOTED : ModelStatus.REJECTED;
        long samplesSeen = lineage.samplesSeen() + newLabels;
        byte[] weights = outcome.candidate().toBytes();
        ModelVersion record = ModelRecords.of(outcome.candidate(), weights, settings.modelName(), version, status);
        record.setSamplesSeen(samplesSeen);
        List<ProducerRecord<String, SpecificRecord>> out = new ArrayList<>(deadLetters);
        out.add(new ProducerRecord<>(Topics.MODELS.name(), new ModelKey(settings.modelName(), version).toString(), record));
        out.add(evaluation(promoted.version(), outcome.promotedScore(), outcome, promoted.record().getSamplesSeen(), Duration.ZERO));
        out.add(evaluation(version, outcome.candidateScore(), outcome, samplesSeen, outcome.trainingTime()));
        try {
            publisher.publish(out, offsets, c.groupMetadata());
        } catch (ProducerFencedException | AuthorizationException e) {
            throw e; // Another round would meet the same.
        } catch (KafkaException e) {
            LOG.warn("v{} could not be published ({}); another round in {} s", version, e.getMessage(), RETRY.toSeconds());
            retryAt = System.nanoTime() + RETRY.toNanos();
            return;
        }
        deadLetters.clear();
        lineage.published(record, outcome.candidate());
        metrics.published(status, version);
        newLabels = 0;
        lastRound = System.nanoTime();
        waitingLogged = false;
        int from = base.number();
        base = outcome.nextBase(new TrainingRound.Version(version, weights), served);
        lineageEvidence = outcome.nextLineageEvidence();
        if (status == ModelStatus.PROMOTED) {
            promotedVersion = version;
        }
        LOG.info("{} v{} (from v{}, {} samples seen): held-out accuracy {} vs v{}'s {} on {} samples; {}; {} in {} ms; next round from v{}",
                settings.modelName(), version, from, samplesSeen, pct(outcome.candidateScore()), promoted.version(),
                pct(outcome.promotedScore()), outcome.heldOutSamples(), outcome.verdict().reason(), status, took.toMillis(), base.number());
    }


    /** The new classes with enough labels for the next round to grow the head by, in the order they first came. */
    private List<String> readyNewClasses() {
        List<String> ready = newClasses.ready(lineage.promotedClasses());
        if (newClasses.any()) {
            LOG.info("New classes and their labels so far: {}{}", newClasses, ready.isEmpty() ? "" : "; this round grows the head by " + ready);
        }
        return ready;
    }

    private ProducerRecord<String, SpecificRecord> evaluation(int version, Evaluation score, TrainingRound.Outcome outcome,
                                                              long samplesSeen, Duration training) {
        TrainingMetrics metricsRecord = TrainingMetrics.newBuilder()
                .setModel(new ModelRef(settings.modelName(), version))
                .setLoss(score.meanLoss())
                .setAccuracy(score.accuracy())
                .setHeldOutSamples(outcome.heldOutSamples())
                .setSamplesSeen(samplesSeen)
                .setDurationMillis(training.toMillis())
                .setTimestamp(Instant.now())
                .build();
        return new ProducerRecord<>(Topics.TRAINING_METRICS.name(), settings.modelName(), metricsRecord);
    }

    private static String pct(Evaluation score) {
        return String.format("%.2f%%", 100 * score.accuracy());
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = KafkaClients.committedReader(settings.kafka(), settings.transactionalId() + "-labels");
        config.put(ConsumerConfig.GROUP_ID_CONFIG, settings.trainingGroup());
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_IMAGE_RECORD_BYTES);
        // A crashed trainer's partitions move to the standby as soon as it holds the lock, not 45 s (the default) later.
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) ActiveTrainerLock.SESSION.toMillis());
        return config;
    }
}
