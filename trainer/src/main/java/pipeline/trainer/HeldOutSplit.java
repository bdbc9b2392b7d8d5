package pipeline.trainer;

import java.util.zip.CRC32;

/**
 * Which labelled images are kept out of training to judge models: those whose pixels hash into the
 * first {@code percent} of 100 buckets. The hash is of the image alone, so an image is on the same
 * side in every round, every restart and every trainer, a correction of a held-out image stays held
 * out, and an image sent again under a new id (a replayed feed, a camera repeating a frame) cannot
 * be trained on and then judged on.
 */
public record HeldOutSplit(int percent) {

    public HeldOutSplit {
        if (percent < 1 || percent > 50) {
            throw new IllegalArgumentException("the held-out share must be 1 to 50 percent; got " + percent);
        }
    }

    /** {@code pixels}: the image as the model takes it, {@code C·H·W} unsigned bytes. */
    public boolean heldOut(byte[] pixels) {
        CRC32 crc = new CRC32();
        crc.update(pixels);
        return crc.getValue() % 100 < percent;
    }
}
