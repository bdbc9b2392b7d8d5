package pipeline.trainer;

import java.util.ArrayList;
import java.util.List;

/**
 * The labelled samples the trainer holds: each goes to the held-out set (the most recent
 * {@code held-out-size}, chosen by {@link HeldOutSplit}) or to the {@link ReplayBuffer}. Both are scaled down
 * alike when they would take more than {@code sample-memory}. Kafka-free, shared by the training loop and the
 * learning-curve commands. Not thread-safe.
 */
final class TrainingData {

    private final HeldOutSplit split;
    private final ReplayBuffer buffer;
    private final RecentSamples heldOut;
    private final int bufferCapacity;
    private final int heldOutCapacity;
    private final int heldOutNeeded;
    private final int sampleBytes;
    /** Training samples of images not kept before, since the last round took them: what no version has learnt from yet. */
    private final List<Sample> unseen = new ArrayList<>();

    /** @param sampleBytes one sample's pixels: the model's channels × height × width */
    TrainingData(TrainerSettings settings, int sampleBytes) {
        this(settings, sampleBytes, StartReplay.NONE);
    }

    /**
     * @param sampleBytes one sample's pixels: the model's channels × height × width
     * @param start       the start model's images, replayed beside the stream
     */
    TrainingData(TrainerSettings settings, int sampleBytes, StartReplay start) {
        double fit = (double) settings.sampleMemory() / sampleBytes / (settings.bufferSize() + settings.heldOutSize());
        double scale = Math.min(1, fit);
        bufferCapacity = Math.max(2, (int) (settings.bufferSize() * scale));
        heldOutCapacity = Math.max(1, (int) (settings.heldOutSize() * scale));
        heldOutNeeded = Math.min(settings.minHeldOut(), heldOutCapacity);
        split = new HeldOutSplit(settings.heldOutPercent());
        buffer = new ReplayBuffer(bufferCapacity, settings.round().seed(), start);
        heldOut = new RecentSamples(heldOutCapacity);
        this.sampleBytes = sampleBytes;
    }

    /** One sample's pixels in bytes: channels × height × width. */
    int sampleBytes() {
        return sampleBytes;
    }

    /** Training samples kept at most: {@code buffer-size}, or fewer when they would not fit in {@code sample-memory}. */
    int bufferCapacity() {
        return bufferCapacity;
    }

    /** Held-out samples kept at most: {@code held-out-size}, or fewer when they would not fit in {@code sample-memory}. */
    int heldOutCapacity() {
        return heldOutCapacity;
    }

    /** Held-out samples needed before a candidate can be judged: {@code min-held-out}, or all that can be kept. */
    int heldOutNeeded() {
        return heldOutNeeded;
    }

    /** Enough samples are held out to judge a candidate. */
    boolean canJudge() {
        return heldOut.size() >= heldOutNeeded;
    }

    /** Keeps {@code sample}; returns whether it was held out (false: it is for training). */
    boolean add(Sample sample) {
        boolean held = split.heldOut(sample.pixels());
        if (held) {
            heldOut.add(sample);
        } else {
            // An image already kept (a feed that repeats itself, a label corrected) may have been trained on: not unseen.
            if (!buffer.holds(sample.pixels()) && unseen.size() < bufferCapacity) {
                unseen.add(sample);
            }
            buffer.add(sample);
        }
        return held;
    }

    /** The training samples kept since the last call (at most the buffer's capacity), and forgets them. */
    List<Sample> takeUnseen() {
        List<Sample> taken = List.copyOf(unseen);
        unseen.clear();
        return taken;
    }

    ReplayBuffer buffer() {
        return buffer;
    }

    List<Sample> heldOut() {
        return heldOut.all();
    }

    int heldOutSize() {
        return heldOut.size();
    }
}
