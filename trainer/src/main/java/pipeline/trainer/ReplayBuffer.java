package pipeline.trainer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The training samples the trainer keeps, bounded: the most recent half of the capacity as they
 * came, and a reservoir (Vitter's algorithm R) holding a uniform sample of everything older. Each
 * draw mixes the two halves equally, so the model learns what is new without forgetting what came
 * before; with a {@link StartReplay}, its share of each draw comes from the images the start model
 * learnt from. Not thread-safe: the training loop owns it.
 */
public final class ReplayBuffer {

    private final RecentSamples recent;
    private final Sample[] reservoir;
    private final SplittableRandom random;
    private final StartReplay start;
    /** How many held samples have each image's pixels (a {@link ByteBuffer} compares by content). */
    private final Map<ByteBuffer, Integer> held = new HashMap<>();
    private int reservoirSize;
    private long older;

    /** @param capacity samples kept in all, at least 2 */
    public ReplayBuffer(int capacity, long seed) {
        this(capacity, seed, StartReplay.NONE);
    }

    /**
     * @param capacity samples kept in all, at least 2
     * @param start    the start model's images, replayed as its share of every draw
     */
    ReplayBuffer(int capacity, long seed, StartReplay start) {
        if (capacity < 2) {
            throw new IllegalArgumentException("the replay buffer needs room for 2 or more samples; got " + capacity);
        }
        recent = new RecentSamples(capacity - capacity / 2);
        reservoir = new Sample[capacity / 2];
        random = new SplittableRandom(seed);
        this.start = start;
    }

    public void add(Sample sample) {
        held.merge(ByteBuffer.wrap(sample.pixels()), 1, Integer::sum);
        Sample evicted = recent.add(sample);
        if (evicted == null) {
            return;
        }
        older++;
        if (reservoirSize < reservoir.length) {
            reservoir[reservoirSize++] = evicted;
        } else {
            long slot = random.nextLong(older);
            if (slot < reservoir.length) {
                forget(reservoir[(int) slot]);
                reservoir[(int) slot] = evicted;
            } else {
                forget(evicted);
            }
        }
    }

    /** Whether an image with these pixels is held (so a round may have trained on it). */
    public boolean holds(byte[] pixels) {
        return held.containsKey(ByteBuffer.wrap(pixels));
    }

    private void forget(Sample sample) {
        held.computeIfPresent(ByteBuffer.wrap(sample.pixels()), (pixels, count) -> count == 1 ? null : count - 1);
    }

    /** Samples held now. */
    public int size() {
        return recent.size() + reservoirSize;
    }

    /**
     * {@code count} samples of class {@code label} drawn with replacement from all held, or none when none is
     * held: what a round that grows the model's head adds so its new classes are not drowned by the old.
     */
    public List<Sample> drawOf(String label, int count) {
        List<Sample> of = new ArrayList<>();
        for (int i = 0; i < recent.size(); i++) {
            if (recent.get(i).label().equals(label)) {
                of.add(recent.get(i));
            }
        }
        for (int i = 0; i < reservoirSize; i++) {
            if (reservoir[i].label().equals(label)) {
                of.add(reservoir[i]);
            }
        }
        List<Sample> out = new ArrayList<>(of.isEmpty() ? 0 : count);
        for (int i = 0; i < count && !of.isEmpty(); i++) {
            out.add(of.get(random.nextInt(of.size())));
        }
        return out;
    }

    /**
     * {@code count} samples drawn with replacement: the start replay's share from the start images, the rest
     * half from the recent ones and half from the reservoir (all recent while the reservoir is empty).
     */
    public List<Sample> draw(int count) {
        if (recent.size() == 0) {
            throw new IllegalStateException("nothing to draw: the replay buffer is empty");
        }
        int fromStart = (int) Math.round(start.share() * count);
        List<Sample> out = new ArrayList<>(count);
        out.addAll(start.draw(fromStart, random));
        for (int i = 0; i < count - fromStart; i++) {
            boolean old = reservoirSize > 0 && (i & 1) == 1;
            out.add(old ? reservoir[random.nextInt(reservoirSize)] : recent.get(random.nextInt(recent.size())));
        }
        return out;
    }
}
