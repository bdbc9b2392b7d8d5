package pipeline.gateway;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import pipeline.schemas.topics.Topics;

/**
 * Which topic an image goes to: {@code images} without a {@code model} parameter, else the topic
 * {@code gateway.routes} gives the model ({@code defects=images.defects,products=images}), where the
 * worker group serving that model reads ({@code worker.model-name}, {@code worker.images-topic}).
 */
final class ImageRoutes {

    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    private final Map<String, String> topics;

    private ImageRoutes(Map<String, String> topics) {
        this.topics = topics;
    }

    /**
     * @param routes {@code MODEL=TOPIC} pairs separated by commas; empty for none
     * @throws IllegalArgumentException naming the pair that is not {@code MODEL=TOPIC}
     */
    static ImageRoutes parse(String routes) {
        Map<String, String> topics = new LinkedHashMap<>();
        for (String pair : routes.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            String[] parts = pair.split("=", -1);
            if (parts.length != 2 || parts[0].isBlank() || !TOPIC.matcher(parts[1].strip()).matches()) {
                throw new IllegalArgumentException("gateway.routes has '" + pair.strip() + "'; expected MODEL=TOPIC pairs separated"
                        + " by commas, a topic being 1 to 249 letters, digits, '.', '_' or '-'");
            }
            topics.put(parts[0].strip(), parts[1].strip());
        }
        return new ImageRoutes(topics);
    }

    /** Every topic images may go to: {@code images} and each route's, once each. */
    Set<String> topics() {
        Set<String> all = new LinkedHashSet<>(List.of(Topics.IMAGES.name()));
        all.addAll(topics.values());
        return all;
    }

    /**
     * The topic for {@code model}, or {@code images} when it is {@code null}.
     *
     * @throws ApiError 404 for a model no route names, listing those that are
     */
    String topic(String model) {
        if (model == null) {
            return Topics.IMAGES.name();
        }
        String topic = topics.get(model);
        if (topic == null) {
            throw new ApiError(404, "UNKNOWN_MODEL", "no route for model '" + model + "'; this gateway sends images for "
                    + (topics.isEmpty() ? "no named model (set gateway.routes)" : String.join(", ", topics.keySet()))
                    + ", and to " + Topics.IMAGES.name() + " without a model parameter");
        }
        return topic;
    }
}
