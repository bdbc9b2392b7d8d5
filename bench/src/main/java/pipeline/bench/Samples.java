package pipeline.bench;

import java.util.ArrayList;
import java.util.List;

/** The repeated measurements of one configuration on one engine: median and spread. */
final class Samples {

    private final List<Double> values = new ArrayList<>();

    void add(double value) {
        values.add(value);
    }

    boolean isEmpty() {
        return values.isEmpty();
    }

    double median() {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    double min() {
        return values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    double max() {
        return values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }

    /** Spread as ±half the range, in percent of the median. */
    double spreadPercent() {
        return (max() - min()) / 2 / median() * 100;
    }
}
