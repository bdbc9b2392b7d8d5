package pipeline.trainer;

import java.util.ArrayList;
import java.util.List;

/** The last {@code capacity} samples added, oldest overwritten first. Not thread-safe. */
final class RecentSamples {

    private final Sample[] ring;
    private int next;
    private int size;

    RecentSamples(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a sample ring needs room for 1 or more; got " + capacity);
        }
        ring = new Sample[capacity];
    }

    /** Adds {@code sample}; returns the one it pushed out, or {@code null} while there was room. */
    Sample add(Sample sample) {
        Sample evicted = ring[next];
        ring[next] = sample;
        next = (next + 1) % ring.length;
        size = Math.min(size + 1, ring.length);
        return evicted;
    }

    int size() {
        return size;
    }

    /** The {@code i}-th sample held, in no particular order; {@code 0 <= i < size()}. */
    Sample get(int i) {
        return ring[i];
    }

    List<Sample> all() {
        List<Sample> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(ring[i]);
        }
        return out;
    }
}
