package pipeline.trainer;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Which labelled images are kept out of training to judge models: those whose id hashes into the
 * first {@code percent} of 100 buckets. The hash is of the id alone, so an image is on the same side
 * in every round, every restart and every trainer; a correction of a held-out image stays held out.
 */
public record HeldOutSplit(int percent) {

    public HeldOutSplit {
        if (percent < 1 || percent > 50) {
            throw new IllegalArgumentException("the held-out share must be 1 to 50 percent; got " + percent);
        }
    }

    public boolean heldOut(String imageId) {
        CRC32 crc = new CRC32();
        crc.update(imageId.getBytes(StandardCharsets.UTF_8));
        return crc.getValue() % 100 < percent;
    }
}
