package pipeline.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.train.Evaluation;
import pipeline.convnet.train.Evaluator;
import pipeline.modelstore.ModelRecords;
import pipeline.modelstore.ModelSnapshot;
import pipeline.modelstore.ModelVerifier;
import pipeline.schemas.avro.Feedback;
import pipeline.schemas.avro.LabelOrigin;
import pipeline.schemas.avro.LabelledImage;
import pipeline.schemas.avro.ModelAccuracy;
import pipeline.schemas.avro.ModelStatus;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.avro.TrainingMetrics;
import pipeline.schemas.registry.RegistryClientOptions;
import pipeline.schemas.registry.SchemaRegistryClient;
import pipeline.schemas.topics.ConsumerGroups;
import pipeline.schemas.topics.KafkaConnection;
import pipeline.schemas.topics.ModelKey;
import pipeline.schemas.topics.TopicProvisioner;
import pipeline.schemas.topics.Topics;
import pipeline.testkit.RealInfrastructure;
import pipeline.testkit.TestKafka;
import pipeline.testkit.TestRegistry;
import pipeline.worker.InferenceLoop;
import pipeline.worker.ModelFollower;
import pipeline.worker.WorkerMetrics;
import pipeline.worker.WorkerSettings;

/** The trainer against a real broker and registry, beside a real worker. */
@ExtendWith(RealInfrastructure.class)
class TrainerServiceTest {

    static final Path SAMPLE = Path.of("../convnet/src/test/resources/fashion-mnist-sample");
    static final Path BUNDLED = Path.of("../models/fashion-lenet5.model");
    static Dataset train;
    static Dataset test;

    @BeforeAll
    static void data(TestKafka kafka) throws Exception {
        train = Dataset.readIdx(SAMPLE, "train", Dataset.FASHION_MNIST_CLASSES);
        test = Dataset.readIdx(SAMPLE, "t10k", Dataset.FASHION_MNIST_CLASSES);
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(Topics.all());
        }
    }

    /** A trainer of {@code model} that reads only labels sent from now on (tests share the topic), cold-starting from the bundled model. */
    static TrainerSettings settings(TestKafka kafka, TestRegistry registry, String model, String applicationId) throws Exception {
        return settings(kafka, registry, model, applicationId, BUNDLED);
    }

    static TrainerSettings settings(TestKafka kafka, TestRegistry registry, String model, String applicationId, Path coldStart)
            throws Exception {
        return settings(kafka, registry, model, applicationId, coldStart, "inference-workers", 0);
    }

    /** As above, waiting for the workers of {@code servingGroup} when they are more than {@code yieldLag} images behind. */
    static TrainerSettings settings(TestKafka kafka, TestRegistry registry, String model, String applicationId, Path coldStart,
                                    String servingGroup, int yieldLag) throws Exception {
        return settings(kafka, registry, model, applicationId, coldStart, servingGroup, yieldLag, 150);
    }

    /** As above, with rounds of {@code roundSteps} steps. */
    static TrainerSettings settings(TestKafka kafka, TestRegistry registry, String model, String applicationId, Path coldStart,
                                    String servingGroup, int yieldLag, int roundSteps) throws Exception {
        TrainerSettings settings = new TrainerSettings(KafkaConnection.plaintext(kafka.bootstrapServers()), RegistryClientOptions.of(registry.url()), applicationId, model, 1, 20_000, 10,
                2_000, 100, 800, Duration.ofMinutes(10), new TrainingRound.Config(roundSteps, 64, 0.01f, 1), new PromotionGate(2.0), Duration.ofHours(1),
                Duration.ofSeconds(5), coldStart, 1, "127.0.0.1", 0, Files.createTempDirectory("trainer-state"),
                servingGroup, yieldLag, Duration.ofSeconds(60), TrainerSettings.NewClasses.REFUSE, 50, Topics.IMAGES.name(), 1L << 30,
                null, 0);
        try (Admin admin = kafka.admin()) {
            ConsumerGroups.startAtEnd(admin, settings.trainingGroup(), Topics.LABELS.name());
        }
        return settings;
    }

    @Test
    void learnsFromLabelsPromotesABetterVersionThatAWorkerServesAndLiveAccuracyRises(TestKafka kafka, TestRegistry registry)
            throws Exception {
        String name = TestKafka.uniqueName("learn");
        String run = TestKafka.uniqueName("img");
        ModelFile weak = ColdStart.lenet(train.head(200), 1, 3, name);
        try (SchemaRegistryClient client = registryClient(registry);
             LabelledFeed feed = new LabelledFeed(kafka, client);
             TopicReader<ModelVersion> versions = versionsOf(kafka, client, name);
             TopicReader<ModelAccuracy> accuracy = new TopicReader<>(kafka, client, Topics.MODEL_ACCURACY.name(), ModelAccuracy.class,
                     key -> key.startsWith(name + ":"))) {
            ModelVersion v1 = ModelRecords.of(weak, weak.toBytes(), name, 1, ModelStatus.PROMOTED);
            feed.send(Topics.MODELS.name(), new ModelKey(name, 1).toString(), v1);
            feed.confirm();
            AtomicReference<ModelSnapshot> served = new AtomicReference<>(new ModelVerifier().verify(v1, null));
            WorkerSettings workerSettings = new WorkerSettings(kafka.bootstrapServers(), registry.url(), TestKafka.uniqueName("learn-workers"),
                    "learn-worker", 32, Duration.ofMillis(20), 3, 4096L * 4096, BUNDLED, 1, Duration.ofSeconds(10),
                    Duration.ofSeconds(20), "127.0.0.1", 0);
            InferenceLoop loop = new InferenceLoop(workerSettings, client, served, 0, new WorkerMetrics(served, () -> 0, () -> 0));
            ModelFollower follower = new ModelFollower(KafkaConnection.plaintext(kafka.bootstrapServers()), client, served);
            Thread worker = Thread.ofPlatform().name("learn-worker").start(loop);
            Thread following = Thread.ofPlatform().name("learn-follower").start(follower);
            try (TrainerService trainer = TrainerService.start(settings(kafka, registry, name, TestKafka.uniqueName("learn-trainer")))) {
                // Served by v1 and taught: 2,300 images with their labels.
                for (int i = 200; i < train.size(); i++) {
                    feed.image(run + "-" + i, train, i);
                    feed.label(run + "-" + i, train, i, train.classNames().get(train.labels()[i]));
                }
                feed.confirm();

                List<ModelVersion> published = versions.until(list -> list.stream().anyMatch(v -> v.getStatus() == ModelStatus.PROMOTED
                        && v.getVersion() > 1), Duration.ofMinutes(3), "a promoted version after v1");
                ModelVersion promoted = published.stream().filter(v -> v.getStatus() == ModelStatus.PROMOTED && v.getVersion() > 1)
                        .findFirst().orElseThrow();
                assertThat(promoted.getParentVersion()).isEqualTo(1);
                assertThat(promoted.getMetrics().get("heldOutAccuracy")).isGreaterThan(promoted.getMetrics().get("promotedHeldOutAccuracy"));
                assertThat(promoted.getSamplesSeen()).isGreaterThan(0);
                assertThat(promoted.getWeightsSha256()).hasSize(64);

                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (served.get().version() < promoted.getVersion() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(served.get().version()).as("the worker hot-swapped to the promoted version").isGreaterThanOrEqualTo(promoted.getVersion());
                int newer = served.get().version();

                // Served by the new version: the 1,000 test images with their labels.
                for (int i = 0; i < test.size(); i++) {
                    feed.image(run + "-t" + i, test, i);
                    feed.label(run + "-t" + i, test, i, test.classNames().get(test.labels()[i]));
                }
                feed.confirm();

                Map<Integer, double[]> live = liveAccuracy(accuracy.until(list -> counted(list, 1) >= 1_000 && counted(list, newer) >= 900,
                        Duration.ofMinutes(2), "model-accuracy of v1 and v" + newer));
                assertThat(live.get(newer)[0]).as("live accuracy of v%d vs v1: %s", newer, live.keySet())
                        .isGreaterThan(live.get(1)[0] + 0.05);
            } finally {
                loop.stop();
                follower.stop();
                worker.join(Duration.ofSeconds(30));
                following.join(Duration.ofSeconds(10));
            }
        }
    }

    /**
     * Labels of a class the served model does not have (Bag, held back from its training) are kept with
     * {@code trainer.new-classes=grow}; once 50 have come, a round grows the head and the version that
     * predicts bags is promoted, its classes the old ones and Bag after them.
     */
    @Test
    void labelsOfANewClassGrowTheHeadOnceEnoughHaveCome(TestKafka kafka, TestRegistry registry) throws Exception {
        String name = TestKafka.uniqueName("grow");
        String run = TestKafka.uniqueName("grow-img");
        List<String> nine = new ArrayList<>(train.classNames());
        nine.remove("Bag");
        ModelFile withoutBags = ColdStart.lenet(NewClassCurve.relabelled(train.head(400), i -> true, 8, nine), 1, 3, name);
        try (SchemaRegistryClient client = registryClient(registry);
             LabelledFeed feed = new LabelledFeed(kafka, client);
             TopicReader<ModelVersion> versions = versionsOf(kafka, client, name)) {
            feed.send(Topics.MODELS.name(), new ModelKey(name, 1).toString(),
                    ModelRecords.of(withoutBags, withoutBags.toBytes(), name, 1, ModelStatus.PROMOTED));
            feed.confirm();
            try (TrainerService trainer = TrainerService.start(settings(kafka, registry, name, TestKafka.uniqueName("grow-trainer"))
                    .growing(50))) {
                for (int i = 400; i < train.size(); i++) {
                    feed.image(run + "-" + i, train, i);
                    feed.label(run + "-" + i, train, i, train.classNames().get(train.labels()[i]));
                }
                feed.confirm();

                ModelVersion grown = versions.until(list -> list.stream().anyMatch(v -> v.getStatus() == ModelStatus.PROMOTED
                        && v.getClassNames().contains("Bag")), Duration.ofMinutes(3), "a promoted version that knows bags").stream()
                        .filter(v -> v.getStatus() == ModelStatus.PROMOTED && v.getClassNames().contains("Bag")).findFirst().orElseThrow();
                List<String> grownClasses = new ArrayList<>(nine);
                grownClasses.add("Bag");
                assertThat(grown.getClassNames()).containsExactlyElementsOf(grownClasses);
                byte[] weights = new byte[grown.getWeights().remaining()];
                grown.getWeights().duplicate().get(weights);
                ModelFile model = ModelFile.fromBytes(weights, "grown");
                Evaluation onTest = Evaluator.evaluate(model.network(), NewClassCurve.relabelled(test, i -> true, -1, grownClasses),
                        model.normalisation(), 256);
                assertThat(onTest.perClassAccuracy()[9]).as("test bags found by v%d", grown.getVersion()).isGreaterThan(0.5);
            }
        }
    }

    @Test
    void aDueRoundWaitsWhileTheWorkersAreBehindAndRunsOnceTheyCatchUp(TestKafka kafka, TestRegistry registry) throws Exception {
        String name = TestKafka.uniqueName("yield");
        String run = TestKafka.uniqueName("backlog");
        String workers = TestKafka.uniqueName("behind-workers");
        try (Admin admin = kafka.admin()) {
            ConsumerGroups.startAtEnd(admin, workers, Topics.IMAGES.name());
        }
        try (SchemaRegistryClient client = registryClient(registry);
             LabelledFeed feed = new LabelledFeed(kafka, client);
             TopicReader<ModelVersion> versions = versionsOf(kafka, client, name);
             TrainerService trainer = TrainerService.start(settings(kafka, registry, name, TestKafka.uniqueName("yield-trainer"),
                     BUNDLED, workers, 10))) {
            versions.until(list -> !list.isEmpty(), Duration.ofSeconds(30), "the cold start's v1");
            // Enough labels for a round; their images are a backlog of 1,500 for workers that read nothing.
            for (int i = 0; i < 1_500; i++) {
                feed.image(run + "-" + i, train, i);
                feed.label(run + "-" + i, train, i, train.classNames().get(train.labels()[i]));
            }
            feed.confirm();
            long waitingUntil = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            assertThat(versions.until(list -> list.size() > 1 || System.nanoTime() > waitingUntil, Duration.ofSeconds(40),
                    "20 s of no new version")).as("versions while the workers are 1,500 images behind").hasSize(1);

            try (Admin admin = kafka.admin()) {
                ConsumerGroups.startAtEnd(admin, workers, Topics.IMAGES.name());
            }
            assertThat(versions.until(list -> list.size() > 1, Duration.ofMinutes(3), "a version once the workers caught up")
                    .get(1).getVersion()).isEqualTo(2);
        }
    }

    @Test
    void shuffledLabelsPromoteNothingAndARestartedTrainerNeverReusesAVersion(TestKafka kafka, TestRegistry registry) throws Exception {
        String name = TestKafka.uniqueName("gate");
        String run = TestKafka.uniqueName("noise");
        String applicationId = TestKafka.uniqueName("gate-trainer");
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            labels.add(train.labels()[i]);
        }
        Collections.shuffle(labels, new Random(11));
        try (SchemaRegistryClient client = registryClient(registry);
             LabelledFeed feed = new LabelledFeed(kafka, client);
             TopicReader<ModelVersion> versions = versionsOf(kafka, client, name);
             TopicReader<TrainingMetrics> evaluations = new TopicReader<>(kafka, client, Topics.TRAINING_METRICS.name(),
                     TrainingMetrics.class, name::equals)) {
            TrainerSettings settings = settings(kafka, registry, name, applicationId);
            try (TrainerService trainer = TrainerService.start(settings)) {
                // No version of this model yet: the cold start publishes the bundled model as v1.
                assertThat(versions.until(list -> !list.isEmpty(), Duration.ofSeconds(30), "the cold start's v1").getFirst())
                        .satisfies(v -> assertThat(v.getVersion()).isEqualTo(1))
                        .satisfies(v -> assertThat(v.getStatus()).isEqualTo(ModelStatus.PROMOTED))
                        .satisfies(v -> assertThat(v.getParentVersion()).isNull());
                // 2,000 labels, about 1,800 on the training side: two rounds of 800.
                for (int i = 0; i < 2_000; i++) {
                    feed.label(run + "-" + i, train, i, train.classNames().get(labels.get(i)));
                }
                feed.confirm();
                versions.until(list -> list.size() >= 3, Duration.ofMinutes(3), "two candidates");
            }
            try (TrainerService restarted = TrainerService.start(settings)) {
                // 1,000 more (the test images): with the ~200 not yet trained on, one more round.
                List<Integer> testLabels = new ArrayList<>();
                for (int i = 0; i < test.size(); i++) {
                    testLabels.add(test.labels()[i]);
                }
                Collections.shuffle(testLabels, new Random(12));
                for (int i = 0; i < test.size(); i++) {
                    feed.label(run + "-t" + i, test, i, test.classNames().get(testLabels.get(i)));
                }
                feed.label(run + "-x", train, 0, "Not a class");
                feed.confirm();
                List<ModelVersion> all = versions.until(list -> list.size() >= 4, Duration.ofMinutes(3), "a candidate after the restart");

                assertThat(all.stream().map(ModelVersion::getVersion).toList()).as("versions in order, none reused").containsExactly(1, 2, 3, 4);
                assertThat(all.subList(1, 4)).as("candidates trained on shuffled labels")
                        .allSatisfy(v -> assertThat(v.getStatus()).isEqualTo(ModelStatus.REJECTED))
                        .allSatisfy(v -> assertThat(v.getParentVersion()).isLessThan(v.getVersion()))
                        .allSatisfy(v -> assertThat(v.getMetrics()).containsEntry("promotedVersion", 1.0));
                List<Long> seen = all.subList(1, 4).stream().map(ModelVersion::getSamplesSeen).toList();
                assertThat(seen).as("samples seen, counted on across the restart").isSorted().doesNotHaveDuplicates();
                assertThat(seen.get(2)).isGreaterThanOrEqualTo(seen.get(1) + 800);
                List<TrainingMetrics> judged = evaluations.until(list -> list.size() >= 6, Duration.ofSeconds(30), "two evaluations per round");
                assertThat(judged.stream().map(m -> m.getModel().getVersion()).toList()).containsExactly(1, 2, 1, 3, 1, 4);
                assertThat(judged).allSatisfy(m -> assertThat(m.getHeldOutSamples()).isGreaterThanOrEqualTo(100));
                assertThat(restarted.metrics().scrape()).contains("trainer_labels_refused_total{code=\"UNKNOWN_LABEL\"} 1.0");
            }
        }
    }

    @Test
    void aCorrectionByIdArrivesInLabelsWithThatImagesBytesFromATrainerColdStartedOnIdxFiles(TestKafka kafka, TestRegistry registry)
            throws Exception {
        String id = TestKafka.uniqueName("corrected");
        String name = TestKafka.uniqueName("feedback");
        try (SchemaRegistryClient client = registryClient(registry);
             LabelledFeed feed = new LabelledFeed(kafka, client);
             TopicReader<LabelledImage> labelled = new TopicReader<>(kafka, client, Topics.LABELS.name(), LabelledImage.class, id::equals);
             TopicReader<ModelVersion> versions = versionsOf(kafka, client, name);
             TrainerService trainer = TrainerService.start(settings(kafka, registry, name, TestKafka.uniqueName("feedback-trainer"), SAMPLE))) {
            // No version of this model: a LeNet-5 trained on the sample's 2,500 images, scored on its 1,000 test images.
            ModelVersion first = versions.until(list -> !list.isEmpty(), Duration.ofSeconds(30), "the cold start's v1").getFirst();
            assertThat(first.getVersion()).isEqualTo(1);
            assertThat(first.getStatus()).isEqualTo(ModelStatus.PROMOTED);
            assertThat(first.getMetrics().get("testAccuracy")).as("test accuracy of the cold start (chance: 10 %%)").isGreaterThan(0.5);

            feed.image(id, test, 7);
            feed.confirm();
            feed.send(Topics.FEEDBACK.name(), id, Feedback.newBuilder().setImageId(id).setLabel("Bag").setOrigin(LabelOrigin.CORRECTION)
                    .setTimestamp(Instant.now()).setAuthor("reviewer").build());
            feed.confirm();

            LabelledImage label = labelled.until(list -> !list.isEmpty(), Duration.ofSeconds(60), "the corrected label").getFirst();

            assertThat(label.getLabel()).isEqualTo("Bag");
            assertThat(label.getOrigin()).isEqualTo(LabelOrigin.CORRECTION);
            assertThat(label.getImage()).isEqualTo(ByteBuffer.wrap(LabelledFeed.png(test.picture(7))));
        }
    }

    /**
     * A version number taken elsewhere (by {@code pipeline models publish}, say) while a round trains: the
     * round's candidate is dropped rather than written under the same key (which would replace the other
     * record on the compacted topic), and the trainer's next round takes the number after it.
     */
    @Test
    void aVersionPublishedElsewhereWhileARoundTrainsIsNeitherReplacedNorReused(TestKafka kafka, TestRegistry registry)
            throws Exception {
        String name = TestKafka.uniqueName("race");
        String run = TestKafka.uniqueName("race-label");
        try (SchemaRegistryClient client = registryClient(registry);
             LabelledFeed feed = new LabelledFeed(kafka, client);
             TopicReader<ModelVersion> versions = versionsOf(kafka, client, name);
             TrainerService trainer = TrainerService.start(settings(kafka, registry, name, TestKafka.uniqueName("race-trainer"),
                     BUNDLED, "inference-workers", 0, 1_000))) {
            versions.until(list -> !list.isEmpty(), Duration.ofSeconds(30), "the cold start's v1");
            for (int i = 0; i < 1_200; i++) {
                feed.label(run + "-" + i, train, i, train.classNames().get(train.labels()[i]));
            }
            feed.confirm();
            // The loop takes no label while a round trains: once the count stops short of all, a round has begun.
            long[] last = {-1};
            BadRecordsOnTrainerInputsTest.await(() -> {
                long read = BadRecordsOnTrainerInputsTest.labelsRead(trainer);
                boolean still = read >= 800 && read == last[0];
                last[0] = read;
                sleep(Duration.ofMillis(500));
                return still;
            }, "a round training");
            assertThat(last[0]).as("labels taken when the round began").isLessThan(1_200);
            ModelFile bundled = ModelFile.read(BUNDLED);
            ModelVersion theirs = ModelRecords.of(bundled, bundled.toBytes(), name, 2, ModelStatus.CANDIDATE);
            theirs.setSamplesSeen(4_242);
            feed.send(Topics.MODELS.name(), new ModelKey(name, 2).toString(), theirs);
            feed.confirm();

            List<ModelVersion> all = versions.until(list -> list.size() >= 3, Duration.ofMinutes(3), "the trainer's next version");

            assertThat(all).extracting(ModelVersion::getVersion).containsExactly(1, 2, 3);
            assertThat(all.get(1).getSamplesSeen()).as("v2 is the one published elsewhere").isEqualTo(4_242);
        }
    }

    private static SchemaRegistryClient registryClient(TestRegistry registry) {
        return new SchemaRegistryClient(RegistryClientOptions.of(registry.url()));
    }

    /** The versions of {@code model} published on the models topic. */
    private static TopicReader<ModelVersion> versionsOf(TestKafka kafka, SchemaRegistryClient client, String model) {
        return new TopicReader<>(kafka, client, Topics.MODELS.name(), ModelVersion.class, key -> key.startsWith(model + ":"));
    }

    private static void sleep(Duration time) {
        try {
            Thread.sleep(time);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One cluster, two models: the trainer of a model on its own images topic joins its corrections with
     * that topic and trains on its labels only, passing over those for the model served from {@code images}
     * and for any other model.
     */
    @Test
    void theTrainerOfAModelOnItsOwnImagesTopicTakesItsOwnLabelsOnly(TestKafka kafka, TestRegistry registry) throws Exception {
        String name = TestKafka.uniqueName("own-topic");
        String imagesTopic = "images." + name;
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, (short) 1).provision(List.of(Topics.imagesFor(imagesTopic)));
        }
        String corrected = TestKafka.uniqueName("ours-corrected");
        try (SchemaRegistryClient client = registryClient(registry);
             LabelledFeed feed = new LabelledFeed(kafka, client);
             TopicReader<LabelledImage> labelled = new TopicReader<>(kafka, client, Topics.LABELS.name(), LabelledImage.class,
                     corrected::equals);
             TrainerService trainer = TrainerService.start(settings(kafka, registry, name, TestKafka.uniqueName("own-topic-trainer"))
                     .onImagesTopic(imagesTopic))) {
            BadRecordsOnTrainerInputsTest.await(trainer::ready, "the trainer ready");
            for (int i = 0; i < 12; i++) {
                feed.label(i < 4 ? name : i < 8 ? null : "another-model", TestKafka.uniqueName("label"), test, i, "Bag");
            }
            feed.image(imagesTopic, corrected, test, 20);
            feed.send(Topics.FEEDBACK.name(), corrected, Feedback.newBuilder().setImageId(corrected).setLabel("Coat")
                    .setOrigin(LabelOrigin.CORRECTION).setTimestamp(Instant.now()).setModel(name).build());
            feed.confirm();

            LabelledImage joined = labelled.until(list -> !list.isEmpty(), Duration.ofSeconds(60), "the correction joined").getFirst();
            assertThat(joined.getModel()).isEqualTo(name);
            assertThat(joined.getImage()).isEqualTo(ByteBuffer.wrap(LabelledFeed.png(test.picture(20))));
            BadRecordsOnTrainerInputsTest.await(() -> BadRecordsOnTrainerInputsTest.labelsRead(trainer) >= 5, "its 4 labels and the joined correction read");
            Thread.sleep(2_000);
            assertThat(BadRecordsOnTrainerInputsTest.labelsRead(trainer)).as("labels of other models passed over").isEqualTo(5);
        }
    }

    /** Predictions counted for {@code version}: the latest update of each window, summed. */
    static long counted(List<ModelAccuracy> updates, int version) {
        return latestPerWindow(updates).values().stream().filter(a -> a.getModel().getVersion() == version)
                .mapToLong(ModelAccuracy::getPredictions).sum();
    }

    /** Per version: {accuracy, predictions} over all its windows. */
    static Map<Integer, double[]> liveAccuracy(List<ModelAccuracy> updates) {
        Map<Integer, long[]> sums = new TreeMap<>();
        latestPerWindow(updates).values().forEach(a -> {
            long[] s = sums.computeIfAbsent(a.getModel().getVersion(), v -> new long[2]);
            s[0] += a.getCorrect();
            s[1] += a.getPredictions();
        });
        Map<Integer, double[]> out = new TreeMap<>();
        sums.forEach((v, s) -> out.put(v, new double[] {(double) s[0] / s[1], s[1]}));
        return out;
    }

    private static Map<String, ModelAccuracy> latestPerWindow(List<ModelAccuracy> updates) {
        Map<String, ModelAccuracy> latest = new TreeMap<>();
        for (ModelAccuracy a : updates) {
            latest.put(a.getModel().getVersion() + "@" + a.getWindowStart().toEpochMilli(), a);
        }
        return latest;
    }
}
