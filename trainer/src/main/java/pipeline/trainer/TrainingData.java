package pipeline.trainer;

import java.util.List;

/**
 * The labelled samples the trainer holds: each goes to the held-out set (the most recent
 * {@code held-out-size}, chosen by {@link HeldOutSplit}) or to the {@link ReplayBuffer}. Kafka-free,
 * shared by the training loop and the learning-curve command. Not thread-safe.
 */
final class TrainingData {

    private final HeldOutSplit split;
    private final ReplayBuffer buffer;
    private final RecentSamples heldOut;

    TrainingData(TrainerSettings settings) {
        split = new HeldOutSplit(settings.heldOutPercent());
        buffer = new ReplayBuffer(settings.bufferSize(), settings.round().seed());
        heldOut = new RecentSamples(settings.heldOutSize());
    }

    /** Keeps {@code sample}; returns whether it was held out (false: it is for training). */
    boolean add(Sample sample) {
        boolean held = split.heldOut(sample.pixels());
        if (held) {
            heldOut.add(sample);
        } else {
            buffer.add(sample);
        }
        return held;
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
