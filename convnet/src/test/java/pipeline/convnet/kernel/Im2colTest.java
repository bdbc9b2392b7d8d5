package pipeline.convnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Im2colTest {

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

        Im2col.im2col(w, x, 0, cols);
        Im2col.col2im(w, y, back, 0);

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

        Im2col.im2col(w, new float[] {1, 2, 3, 4}, 0, cols);

        // Row 0 is kernel tap (0,0): at output (0,0) it reads (−1,−1), in the padding.
        assertThat(cols[0]).isZero();
        // Row 4 is the centre tap: it reads the image itself.
        assertThat(new float[] {cols[16], cols[17], cols[18], cols[19]}).containsExactly(1, 2, 3, 4);
    }
}
