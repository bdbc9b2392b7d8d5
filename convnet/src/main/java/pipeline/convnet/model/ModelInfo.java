package pipeline.convnet.model;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a model file says about the model beyond its numbers.
 *
 * @param name          e.g. {@code fashion-lenet5}
 * @param version       1, 2, …
 * @param parentVersion the version it was fine-tuned from, or {@code null}
 * @param createdAt     when it was trained
 * @param metrics       e.g. {@code testAccuracy → 0.905}
 */
public record ModelInfo(String name, int version, Integer parentVersion, Instant createdAt, Map<String, Double> metrics) {

    public ModelInfo {
        if (name == null || name.isBlank() || name.contains("\n")) {
            throw new IllegalArgumentException("a model needs a one-line name; got '" + name + "'");
        }
        metrics = new TreeMap<>(metrics);
    }
}
