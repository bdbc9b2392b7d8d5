package pipeline.convnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An image of a dataset as a picture: each pixel where it belongs, grey or RGB. */
class DatasetPictureTest {

    @Test
    void aGreyImageKeepsEveryPixelInPlace() {
        // Two 2×3 images; the second is 10, 20, 30 / 40, 50, 255.
        byte[] pixels = {0, 0, 0, 0, 0, 0, 10, 20, 30, 40, 50, (byte) 255};
        Dataset data = new Dataset(pixels, new int[] {0, 1}, 1, 2, 3, List.of("a", "b"));

        BufferedImage picture = data.picture(1);

        assertThat(picture.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
        assertThat(new int[] {picture.getWidth(), picture.getHeight()}).containsExactly(3, 2);
        assertThat(picture.getRaster().getSample(2, 0, 0)).isEqualTo(30);
        assertThat(picture.getRaster().getSample(0, 1, 0)).isEqualTo(40);
        assertThat(picture.getRaster().getSample(2, 1, 0)).isEqualTo(255);
    }

    @Test
    void threeChannelsAreRedGreenBlue() {
        byte[] pixels = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};   // one 3×2×2 image: R, G, B planes
        Dataset data = new Dataset(pixels, new int[] {0}, 3, 2, 2, List.of("a"));

        int rgb = data.picture(0).getRGB(1, 1);

        assertThat(new int[] {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff}).containsExactly(4, 8, 12);
        assertThatThrownBy(() -> data.picture(1)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
