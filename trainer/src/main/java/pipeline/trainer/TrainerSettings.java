package pipeline.trainer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import pipeline.config.ClusterSettings;
import pipeline.config.Setting;
import pipeline.config.Settings;
import pipeline.config.ValueType;
import pipeline.convnet.train.TransferLearning;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.topics.KafkaAccess;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.Topics;

/**
 * The trainer's settings ({@code trainer.*}, {@code kafka.*}, {@code registry.*}; environment
 * {@code PIPELINE_TRAINER_…} and so on).
 *
 * @param applicationId  Kafka Streams application id of the feedback topology; also the training loop's
 *                       consumer group and the prefix of its transactional id
 * @param modelName      the model this trainer fine-tunes and publishes versions of
 * @param threads        engine threads for training (the feedback topology runs on one more)
 * @param bufferSize     training samples kept (half recent, half a reservoir of older ones)
 * @param heldOutPercent share of image ids kept out of training to judge models
 * @param heldOutSize    held-out samples kept (the most recent)
 * @param minHeldOut     held-out samples needed before the first evaluation
 * @param roundLabels    new training labels that start a round
 * @param roundInterval  time after which a round starts with any new label
 * @param round          steps, batch size, learning rate and seed of a round
 * @param gate           what proves a candidate better than the promoted version, at how many standard errors
 * @param feedbackWindow how far apart an image and a label for it may be to be joined
 * @param accuracyWindow length of the windows of {@code model-accuracy}
 * @param coldStart      a model file, or a folder of IDX files to train one from, when no version is promoted
 * @param coldStartEpochs epochs of a cold start from IDX files
 * @param stateDir       the feedback topology's local state (join windows); one per trainer process
 * @param servingGroup   the inference workers' consumer group on {@code images}, whose lag says whether they are behind
 * @param yieldLag       images the workers may be behind before rounds wait for them (0: never wait)
 * @param maxYield       the longest a round pauses, in all, for workers that are behind
 * @param newClasses     labels of classes the model does not have: refused (dead letters), or kept to grow its head
 * @param newClassMinLabels labels of a new class needed before a round grows the head by it
 * @param imagesTopic    the topic the model's images are on (its workers' {@code worker.images-topic}): the feedback
 *                       topology joins corrections with it, and rounds wait while its workers are behind
 * @param sampleMemory   bytes the kept samples (training and held-out) may take; fewer are kept when the model's
 *                       input is large (a 224×224 RGB sample is 147 KiB, a 28×28 grey one 784 bytes)
 * @param replayData     the images the start model learnt from (IDX files or class folders), or {@code null}
 * @param replayShare    share of every round's draws taken from {@code replayData}
 */
public record TrainerSettings(KafkaConnection kafka, RegistryClientOptions registry, String applicationId, String modelName, int threads,
                              int bufferSize, int heldOutPercent, int heldOutSize, int minHeldOut, int roundLabels,
                              Duration roundInterval, TrainingRound.Config round, PromotionGate gate, Duration feedbackWindow,
                              Duration accuracyWindow, Path coldStart, int coldStartEpochs, String httpHost, int httpPort,
                              Path stateDir, String servingGroup, int yieldLag, Duration maxYield, NewClasses newClasses,
                              int newClassMinLabels, String imagesTopic, long sampleMemory, Path replayData, double replayShare) {

    /** What becomes of a label of a class the model does not have. */
    public enum NewClasses { REFUSE, GROW }

    /** These settings for a model whose images are on {@code topic}. */
    public TrainerSettings onImagesTopic(String topic) {
        return new TrainerSettings(kafka, registry, applicationId, modelName, threads, bufferSize, heldOutPercent,
                heldOutSize, minHeldOut, roundLabels, roundInterval, round, gate, feedbackWindow, accuracyWindow, coldStart,
                coldStartEpochs, httpHost, httpPort, stateDir, servingGroup, yieldLag, maxYield, newClasses, newClassMinLabels, topic,
                sampleMemory, replayData, replayShare);
    }

    /** These settings growing the model's head by new classes once each has {@code minLabels} labels. */
    public TrainerSettings growing(int minLabels) {
        return new TrainerSettings(kafka, registry, applicationId, modelName, threads, bufferSize, heldOutPercent,
                heldOutSize, minHeldOut, roundLabels, roundInterval, round, gate, feedbackWindow, accuracyWindow, coldStart,
                coldStartEpochs, httpHost, httpPort, stateDir, servingGroup, yieldLag, maxYield, NewClasses.GROW, minLabels, imagesTopic, sampleMemory,
                replayData, replayShare);
    }

    static final Setting<String> APPLICATION_ID = Setting.of("trainer.application-id", ValueType.text(), "trainer",
            "Kafka Streams application id, training consumer group and transactional-id prefix");
    static final Setting<String> MODEL_NAME = Setting.of("trainer.model-name", ValueType.text(), "fashion-lenet5",
            "the model fine-tuned and published");
    static final Setting<Integer> THREADS = Setting.of("trainer.threads", ValueType.integer(1, 64), 1,
            "engine threads for training, so the trainer does not starve the workers");
    static final Setting<Integer> BUFFER_SIZE = Setting.of("trainer.buffer-size", ValueType.integer(2, 10_000_000), 20_000,
            "training samples kept: half the most recent, half a reservoir of older ones");
    static final Setting<String> IMAGES_TOPIC = Setting.of("trainer.images-topic", ValueType.text(), Topics.IMAGES.name(),
            "the topic the model's images are on (as worker.images-topic): labels sent with ?model= for it are its own");
    static final Setting<Long> SAMPLE_MEMORY = Setting.of("trainer.sample-memory", ValueType.byteSize(), 1L << 30,
            "memory the kept samples may take: with a large input, fewer than buffer-size and held-out-size are kept");
    static final Setting<Integer> HELD_OUT_PERCENT = Setting.of("trainer.held-out-percent", ValueType.integer(1, 50), 10,
            "share of image ids (by hash) kept out of training to judge models");
    static final Setting<Integer> HELD_OUT_SIZE = Setting.of("trainer.held-out-size", ValueType.integer(1, 1_000_000), 2_000,
            "held-out samples kept, the most recent");
    static final Setting<Integer> MIN_HELD_OUT = Setting.of("trainer.min-held-out", ValueType.integer(1, 1_000_000), 200,
            "held-out samples needed before models are judged");
    static final Setting<Integer> ROUND_LABELS = Setting.of("trainer.round-labels", ValueType.integer(1, 10_000_000), 1_000,
            "new training labels that start a round");
    static final Setting<Duration> ROUND_INTERVAL = Setting.of("trainer.round-interval", ValueType.duration(), Duration.ofSeconds(60),
            "time after which a round starts if any new label came");
    static final Setting<Integer> ROUND_STEPS = Setting.of("trainer.round-steps", ValueType.integer(1, 1_000_000), 150,
            "optimiser steps per round, at least");
    static final Setting<Double> ROUND_PASSES = Setting.of("trainer.round-passes", ValueType.decimal(0, 1000), TrainingRound.Config.BUFFER_PASSES,
            "passes over the replay buffer a round makes at least, so rounds take more steps as it grows; 0: round-steps always");
    static final Setting<String> FREEZE_UP_TO = Setting.of("trainer.freeze-up-to", ValueType.text(), TransferLearning.NONE,
            "what a round may not change: none, body (all but the head) or the node frozen through (an imported model's)");
    static final Setting<NewClasses> NEW_CLASSES = Setting.of("trainer.new-classes", ValueType.oneOf(NewClasses.class),
            NewClasses.REFUSE, "labels of classes the model does not have: refuse (dead letters) or grow (a new head output)");
    static final Setting<Integer> NEW_CLASS_MIN_LABELS = Setting.of("trainer.new-class-min-labels", ValueType.integer(1, 1_000_000),
            50, "labels of a new class before a round grows the head by it");
    static final Setting<Integer> BATCH_SIZE = Setting.of("trainer.batch-size", ValueType.integer(1, 4096), 64, "samples per step");
    static final Setting<Double> LEARNING_RATE = Setting.of("trainer.learning-rate", ValueType.decimal(1e-7, 1), 0.01,
            "the learning rate a round starts at");
    static final Setting<TrainingRound.RoundOptimizer> OPTIMIZER = Setting.of("trainer.optimizer",
            ValueType.oneOf(TrainingRound.RoundOptimizer.class), TrainingRound.Config.OPTIMIZER,
            "how a round's steps move the weights: adam, or sgd (Nesterov momentum 0.9, weight decay 5e-4)");
    static final Setting<TrainingRound.RoundSchedule> ROUND_SCHEDULE = Setting.of("trainer.round-schedule",
            ValueType.oneOf(TrainingRound.RoundSchedule.class), TrainingRound.Config.SCHEDULE,
            "the learning rate within a round: constant, or cosine (down to 0, a warm restart each round)");
    static final Setting<String> REPLAY_DATA = Setting.of("trainer.replay-data", ValueType.text(), "",
            "the images the start model learnt from (a folder of IDX files or of class folders), replayed beside the stream;"
                    + " empty: none");
    static final Setting<Double> REPLAY_SHARE = Setting.of("trainer.replay-share", ValueType.decimal(0, 0.9), 0.5,
            "share of every round's draws taken from trainer.replay-data when it is set");
    static final Setting<Double> PROMOTION_Z = Setting.of("trainer.promotion-z", ValueType.decimal(0, 10), 2.0,
            "standard errors (paired, on the held-out set) by which a candidate must beat its parent; 0 = at least as accurate");
    static final Setting<Duration> FEEDBACK_WINDOW = Setting.of("trainer.feedback-window", ValueType.duration(), Duration.ofHours(1),
            "how far apart in time an image and a label for it are joined");
    static final Setting<Duration> ACCURACY_WINDOW = Setting.of("trainer.accuracy-window", ValueType.duration(), Duration.ofMinutes(1),
            "length of the model-accuracy windows");
    static final Setting<Path> COLD_START = Setting.of("trainer.cold-start", ValueType.path(), Path.of("models/fashion-lenet5.model"),
            "model file, or IDX folder to train from, used when no version is promoted");
    static final Setting<Integer> COLD_START_EPOCHS = Setting.of("trainer.cold-start-epochs", ValueType.integer(1, 1000), 2,
            "epochs of a cold start from IDX files");
    static final Setting<Integer> SEED = Setting.of("trainer.seed", ValueType.integer(0, Integer.MAX_VALUE), 1,
            "seed of sampling and shuffling");
    static final Setting<String> HTTP_HOST = Setting.of("trainer.http-host", ValueType.text(), "127.0.0.1",
            "address of /health, /ready and /metrics");
    static final Setting<Integer> HTTP_PORT = Setting.of("trainer.http-port", ValueType.port(), 9500,
            "port of /health, /ready and /metrics (0 = any free port)");

    static final Setting<Path> STATE_DIR = Setting.of("trainer.state-dir", ValueType.path(),
            Path.of(System.getProperty("java.io.tmpdir"), "kafka-streams"),
            "local state of the feedback topology; trainers on one machine need one each");

    static final Setting<String> SERVING_GROUP = Setting.of("trainer.serving-group", ValueType.text(), "inference-workers",
            "the inference workers' consumer group (worker.group-id), whose lag on images says whether they are behind");
    static final Setting<Integer> YIELD_LAG = Setting.of("trainer.yield-lag", ValueType.integer(0, Integer.MAX_VALUE), 256,
            "images the workers may be behind before a due round waits and a running one pauses for them; 0 never waits");
    static final Setting<Duration> MAX_YIELD = Setting.of("trainer.max-yield", ValueType.duration(), Duration.ofSeconds(60),
            "the longest a running round pauses, in all, for workers that are behind");

    /** Every setting this service reads. */
    public static final List<Setting<?>> ALL = ClusterSettings.plus(APPLICATION_ID, MODEL_NAME, IMAGES_TOPIC, THREADS, BUFFER_SIZE, SAMPLE_MEMORY,
            HELD_OUT_PERCENT, HELD_OUT_SIZE, MIN_HELD_OUT, ROUND_LABELS, ROUND_INTERVAL, ROUND_STEPS, BATCH_SIZE, LEARNING_RATE,
            OPTIMIZER, ROUND_SCHEDULE, ROUND_PASSES, REPLAY_DATA, REPLAY_SHARE,
            PROMOTION_Z, FEEDBACK_WINDOW, ACCURACY_WINDOW, COLD_START, COLD_START_EPOCHS, SEED, HTTP_HOST, HTTP_PORT,
            STATE_DIR, SERVING_GROUP, YIELD_LAG, MAX_YIELD, FREEZE_UP_TO, NEW_CLASSES, NEW_CLASS_MIN_LABELS);

    public static TrainerSettings from(Settings s) {
        TrainingRound.Config round = new TrainingRound.Config(s.get(ROUND_STEPS), s.get(BATCH_SIZE),
                s.get(LEARNING_RATE).floatValue(), s.get(SEED), s.get(FREEZE_UP_TO).strip(), s.get(OPTIMIZER), s.get(ROUND_SCHEDULE),
                s.get(ROUND_PASSES));
        return new TrainerSettings(KafkaConnection.from(s), RegistryClientOptions.from(s), s.get(APPLICATION_ID), s.get(MODEL_NAME), s.get(THREADS),
                s.get(BUFFER_SIZE), s.get(HELD_OUT_PERCENT), s.get(HELD_OUT_SIZE), s.get(MIN_HELD_OUT), s.get(ROUND_LABELS),
                s.get(ROUND_INTERVAL), round, new PromotionGate(s.get(PROMOTION_Z)), s.get(FEEDBACK_WINDOW), s.get(ACCURACY_WINDOW),
                s.get(COLD_START), s.get(COLD_START_EPOCHS), s.get(HTTP_HOST), s.get(HTTP_PORT), s.get(STATE_DIR),
                s.get(SERVING_GROUP), s.get(YIELD_LAG), s.get(MAX_YIELD), s.get(NEW_CLASSES), s.get(NEW_CLASS_MIN_LABELS),
                s.get(IMAGES_TOPIC).strip(), s.get(SAMPLE_MEMORY), s.get(REPLAY_DATA).isBlank() ? null : Path.of(s.get(REPLAY_DATA).strip()),
                s.get(REPLAY_SHARE));
    }

    /**
     * What the trainer needs on a secured cluster, as {@code pipeline provision --acls} grants it: its topics; every
     * consumer group and transactional id starting with {@code application-id} (Kafka Streams', the training loop's,
     * the publisher's); the Streams application's own topics ({@code application-id-…-changelog}, {@code -repartition});
     * and the description of the serving group, whose lag it yields to.
     */
    public KafkaAccess access() {
        List<KafkaAccess.Grant> grants = new ArrayList<>();
        for (String topic : List.of(imagesTopic, Topics.FEEDBACK.name(), Topics.LABELS.name(), Topics.PREDICTIONS.name(),
                Topics.MODELS.name())) {
            grants.add(KafkaAccess.Grant.topic(AclOperation.READ, topic));
        }
        for (String topic : List.of(Topics.LABELS.name(), Topics.IMAGES_DLQ.name(), Topics.MODEL_ACCURACY.name(),
                Topics.TRAINING_METRICS.name(), Topics.MODELS.name())) {
            grants.add(KafkaAccess.Grant.topic(AclOperation.WRITE, topic));
        }
        grants.add(KafkaAccess.Grant.prefixed(ResourceType.TOPIC, AclOperation.ALL, applicationId + "-"));
        grants.add(KafkaAccess.Grant.prefixed(ResourceType.GROUP, AclOperation.READ, applicationId));
        grants.add(KafkaAccess.Grant.prefixed(ResourceType.TRANSACTIONAL_ID, AclOperation.WRITE, applicationId));
        grants.add(KafkaAccess.Grant.prefixed(ResourceType.TRANSACTIONAL_ID, AclOperation.DESCRIBE, applicationId));
        grants.add(KafkaAccess.Grant.group(AclOperation.DESCRIBE, servingGroup));
        return new KafkaAccess("trainer", grants);
    }

    /** The labels and predictions of this trainer's model. */
    LabelScope scope() {
        return new LabelScope(modelName, imagesTopic);
    }

    /**
     * The feedback topology's Kafka Streams application id: {@code application-id} for the model served from
     * {@code images}, and one of its own for a model on another images topic, whose topology differs.
     */
    String streamsApplicationId() {
        return imagesTopic.equals(Topics.IMAGES.name()) ? applicationId : applicationId + "-" + modelName;
    }

    /** The group whose single member with {@code models}' partition is the model's active trainer ({@link ActiveTrainerLock}). */
    String activeGroup() {
        return applicationId + "-active-" + modelName;
    }

    /** The training loop's consumer group on {@code labels}: its committed offsets say which labels were new. */
    String trainingGroup() {
        return applicationId + "-training-" + modelName;
    }

    /** The training loop's transactional id: one per model, so a second trainer of the same model fences the first. */
    String transactionalId() {
        return applicationId + "-" + modelName;
    }
}
