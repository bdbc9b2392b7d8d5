package pipeline.convnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Im2colTest {

    @ParameterizedTest(name = "{0}×{1} kernel {2}×{3} stride {4}×{5} padding {6}×{7} dilation {8}×{9}")
    @CsvSource({
            "28, 28, 5, 5, 1, 1, 2, 2, 1, 1",
            "7, 9, 3, 3, 1, 1, 1, 1, 1, 1",
            "8, 8, 1, 1, 2, 2, 0, 0, 1, 1",
            "9, 7, 3, 2, 2, 3, 1, 2, 1, 1",
            "10, 11, 3, 3, 1, 2, 2, 3, 2, 3",
            "3, 3, 3, 3, 1, 1, 4, 4, 1, 1",
            "5, 6, 2, 4, 3, 1, 0, 5, 2, 1",
            "9, 8, 3, 3, 1, 1, 2, 2, 2, 2",
            "6, 5, 1, 1, 1, 1, 0, 0, 1, 1",
            "2, 3, 5, 3, 1, 1, 2, 1, 1, 1"})
    void bulkCopiesEqualThePlainReference(int h, int width, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
        int oh = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
        int ow = (width + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
        Im2col.Window w = new Im2col.Window(2, h, width, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow);
        SplittableRandom random = new SplittableRandom(h * 31L + width);
        float[] image = new float[3 + 2 * h * width];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) random.nextDouble();
        }
        int ld = w.cols() * 3;
        float[] expected = new float[5 + w.rows() * ld];
        float[] actual = new float[expected.length];
        Arrays.fill(actual, Float.NaN);
        System.arraycopy(actual, 0, expected, 0, actual.length);

        Im2colReference.im2col(w, image, 3, expected, 5 + w.cols(), ld);
        Im2col.im2col(w, image, 3, actual, 5 + w.cols(), ld);

        // Equal everywhere, including the untouched NaNs of the other images' columns.
        assertThat(actual).usingElementComparator(Float::compare).containsExactly(expected);
    }

    @Test
    void col2imIsTheAdjointOfIm2colWithStridePaddingAndDilation() {
        // <im2col(x), y> = <x, col2im(y)> for every x and y is what makes col2im the input gradient.
        Im2col.Window w = new Im2col.Window(3, 7, 6, 3, 2, 2, 1, 1, 2, 2, 1, 3, 9);
        SplittableRandom random = new SplittableRandom(7);
        float[] x = new float[3 * 7 * 6];
        float[] y = new float[w.rows() * w.cols()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble();
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) random.nextDouble();
        }
        float[] cols = new float[y.length];
        float[] back = new float[x.length];

        Im2col.im2col(w, x, 0, cols, 0, w.cols());
        Im2col.col2im(w, y, 0, w.cols(), back, 0);

        double left = 0;
        double right = 0;
        for (int i = 0; i < y.length; i++) {
            left += cols[i] * y[i];
        }
        for (int i = 0; i < x.length; i++) {
            right += x[i] * back[i];
        }
        assertThat(left).isCloseTo(right, within(1e-3));
    }

    @Test
    void paddingReadsAsZero() {
        Im2col.Window w = new Im2col.Window(1, 2, 2, 3, 3, 1, 1, 1, 1, 1, 1, 2, 2);
        float[] cols = new float[w.rows() * w.cols()];

        Im2col.im2col(w, new float[] {1, 2, 3, 4}, 0, cols, 0, w.cols());

        // Row 0 is kernel tap (0,0): at output (0,0) it reads (−1,−1), in the padding.
        assertThat(cols[0]).isZero();
        // Row 4 is the centre tap: it reads the image itself.
        assertThat(new float[] {cols[16], cols[17], cols[18], cols[19]}).containsExactly(1, 2, 3, 4);
    }
}
