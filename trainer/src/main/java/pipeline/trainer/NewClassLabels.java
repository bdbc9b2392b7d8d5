package pipeline.trainer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Labels counted for each class the promoted model does not have, in the order the classes first came,
 * until it has enough to grow the head by it ({@code trainer.new-class-min-labels}). Not thread-safe.
 */
final class NewClassLabels {

    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private final int needed;

    /** @param needed labels of a class before a round grows the head by it */
    NewClassLabels(int needed) {
        this.needed = needed;
    }

    /** Counts {@code sample} when its class is not one of {@code known}. */
    void count(Sample sample, List<String> known) {
        if (!known.contains(sample.label())) {
            counts.merge(sample.label(), 1, Integer::sum);
        }
    }

    /** The classes with enough labels, in the order they first came; forgets those now {@code known}. */
    List<String> ready(List<String> known) {
        counts.keySet().removeAll(known);
        return counts.entrySet().stream().filter(e -> e.getValue() >= needed).map(Map.Entry::getKey).toList();
    }

    boolean any() {
        return !counts.isEmpty();
    }

    @Override
    public String toString() {
        return counts + " (" + needed + " needed to learn one)";
    }
}
