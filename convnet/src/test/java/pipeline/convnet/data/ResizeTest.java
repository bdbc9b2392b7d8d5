package pipeline.convnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The two resize policies on planar grey pixels: what each output pixel is made of. */
class ResizeTest {

    @Test
    void aCentreCropKeepsTheMiddleAtTheModelsAspectRatioWhereStretchingSquashesTheWhole() {
        // 40 wide, 20 high: black outer quarters either side, white in the middle 20×20.
        int w = 40;
        int h = 20;
        byte[] pixels = new byte[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 10; x < 30; x++) {
                pixels[y * w + x] = (byte) 255;
            }
        }
        byte[] cropped = new ImageInput(new int[] {1, 10, 10}, ImageInputTest.IDENTITY, new Resize.CentreCrop(1))
                .pixels(pixels, 1, h, w);
        byte[] stretched = new ImageInput(new int[] {1, 10, 10}, ImageInputTest.IDENTITY).pixels(pixels, 1, h, w);

        for (byte level : cropped) {
            assertThat(level & 0xff).isEqualTo(255);
        }
        assertThat(stretched[0] & 0xff).as("the stretched image keeps the black sides").isZero();
        assertThat(stretched[5] & 0xff).isEqualTo(255);
    }

    @Test
    void torchvisionsResize256ThenCentreCrop224IsCentreCropSevenEighths() {
        // A 256×256 image: the shorter side is already 256, so the input is exactly pixels 16–239 each way.
        int side = 256;
        byte[] pixels = new byte[side * side];
        new Random(3).nextBytes(pixels);

        byte[] input = new ImageInput(new int[] {1, 224, 224}, ImageInputTest.IDENTITY, Resize.parse("centre-crop:0.875"))
                .pixels(pixels, 1, side, side);

        for (int y = 0; y < 224; y++) {
            for (int x = 0; x < 224; x++) {
                assertThat(input[y * 224 + x]).as("(%d, %d)", x, y).isEqualTo(pixels[(y + 16) * side + x + 16]);
            }
        }
    }

    @Test
    void aPortraitImageIsCroppedTopAndBottom() {
        Resize.Region region = new Resize.CentreCrop(0.875).region(400, 300, 224, 224);

        // Shorter side 300 → 256 (scale 0.8533); 224 of it is 262.5 source pixels, centred both ways.
        assertThat(region.width()).isCloseTo(262.5, within(1e-9));
        assertThat(region.height()).isCloseTo(262.5, within(1e-9));
        assertThat(region.x()).isCloseTo(18.75, within(1e-9));
        assertThat(region.y()).isCloseTo(68.75, within(1e-9));
    }

    @Test
    void aSourceDecodedAtTheLeastSizeAPolicyAllowsIsNeverUpscaled() {
        assertThat(Resize.STRETCH.leastSource(224, 224)).containsExactly(224, 224);
        assertThat(new Resize.CentreCrop(0.875).leastSource(224, 224)).containsExactly(256, 256);
        // At that size the region taken holds at least the input's pixels.
        Resize.Region region = new Resize.CentreCrop(0.875).region(256, 341, 224, 224);
        assertThat(region.width()).isGreaterThanOrEqualTo(224);
        assertThat(region.height()).isGreaterThanOrEqualTo(224);
    }

    @Test
    void policiesReadAsTheyAreWrittenAndNonsenseIsNamed() {
        for (Resize policy : new Resize[] {Resize.STRETCH, new Resize.CentreCrop(1), new Resize.CentreCrop(0.875)}) {
            assertThat(Resize.parse(policy.text())).isEqualTo(policy);
        }
        assertThat(Resize.parse("center-crop")).isEqualTo(new Resize.CentreCrop(1));
        assertThatThrownBy(() -> Resize.parse("fill")).hasMessageContaining("stretch, centre-crop or centre-crop:F")
                .hasMessageContaining("got 'fill'");
        assertThatThrownBy(() -> Resize.parse("centre-crop:1.5")).hasMessageContaining("(0, 1]; got 1.5");
    }
}
