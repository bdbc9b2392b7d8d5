package pipeline.convnet.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import pipeline.convnet.tensor.Tensor;

class BatchLoaderTest {

    static final Normalisation IDENTITY = new Normalisation(new float[] {0f}, new float[] {1f});

    /** One 4×4 image whose pixel (y, x) is 10·y + x + 1, so every position is recognisable. */
    static final Dataset GRID = new Dataset(grid(), new int[] {0}, 1, 4, 4, List.of("only"));

    @Test
    void withoutAugmentationPixelsAreScaledAndNormalised() {
        Tensor batch = load(Augmentation.NONE, 1);

        assertThat(pixel(batch, 0, 0)).isEqualTo(1);
        assertThat(pixel(batch, 3, 3)).isEqualTo(34);
    }

    @Test
    void aFlipMirrorsEachRow() {
        // Seeds alternate flips; look for one batch that is flipped and check it is the mirror image.
        boolean sawFlip = false;
        for (long seed = 0; seed < 20 && !sawFlip; seed++) {
            Tensor batch = load(new Augmentation(0, true), seed);
            if (pixel(batch, 0, 0) == 4) {
                sawFlip = true;
                for (int y = 0; y < 4; y++) {
                    for (int x = 0; x < 4; x++) {
                        assertThat(pixel(batch, y, x)).isEqualTo(10 * y + (3 - x) + 1);
                    }
                }
            }
        }
        assertThat(sawFlip).as("some seed flips").isTrue();
    }

    @Test
    void aCropShiftsTheImageWithinThePaddingAndFillsWithZero() {
        for (long seed = 0; seed < 20; seed++) {
            Tensor batch = load(new Augmentation(1, false), seed);
            // Find the shift: where pixel (1, 1), value 12, landed.
            int dy = -2;
            int dx = -2;
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    if (pixel(batch, y, x) == 12) {
                        dy = 1 - y;
                        dx = 1 - x;
                    }
                }
            }
            assertThat(Math.abs(dy)).as("vertical shift").isLessThanOrEqualTo(1);
            assertThat(Math.abs(dx)).as("horizontal shift").isLessThanOrEqualTo(1);
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    int sy = y + dy;
                    int sx = x + dx;
                    int expected = sy < 0 || sy > 3 || sx < 0 || sx > 3 ? 0 : 10 * sy + sx + 1;
                    assertThat(pixel(batch, y, x)).isEqualTo(expected);
                }
            }
        }
    }

    private static Tensor load(Augmentation augmentation, long seed) {
        return new BatchLoader(GRID, IDENTITY).load(new int[] {0}, 0, 1, augmentation, new SplittableRandom(seed)).images();
    }

    private static int pixel(Tensor batch, int y, int x) {
        return Math.round(batch.get(0, 0, y, x) * 255);
    }

    private static byte[] grid() {
        byte[] pixels = new byte[16];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                pixels[y * 4 + x] = (byte) (10 * y + x + 1);
            }
        }
        return pixels;
    }
}
