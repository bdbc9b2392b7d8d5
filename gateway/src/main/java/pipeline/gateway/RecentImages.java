package pipeline.gateway;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The small images this gateway accepted lately, by id, so that the live feed can show each
 * prediction beside its image: at most {@code capacity} images of at most {@link #MAX_BYTES} each,
 * the oldest forgotten first. Larger images are not kept (their rows show no thumbnail).
 */
final class RecentImages {

    static final int MAX_BYTES = 16 * 1024;

    private record Image(byte[] bytes, String contentType) {
    }

    private final Map<String, Image> images;

    RecentImages(int capacity) {
        this.images = new LinkedHashMap<>(capacity * 4 / 3 + 1, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Image> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized void keep(String id, ImageCheck.Checked image) {
        if (image.bytes().length <= MAX_BYTES) {
            images.put(id, new Image(image.bytes(), image.contentType()));
        }
    }

    /** The image as a {@code data:} URL, if it is still kept. */
    synchronized Optional<String> dataUrl(String id) {
        Image image = images.get(id);
        return image == null ? Optional.empty()
                : Optional.of("data:" + image.contentType() + ";base64," + Base64.getEncoder().encodeToString(image.bytes()));
    }
}
