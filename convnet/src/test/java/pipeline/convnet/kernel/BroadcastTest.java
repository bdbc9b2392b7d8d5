package pipeline.convnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import pipeline.convnet.tensor.Shapes;

/** The block-wise broadcast kernel equals the element-by-element reference bit for bit, whatever the chunks. */
class BroadcastTest {

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(new int[] {2, 3, 5, 7}, new int[] {2, 3, 5, 7}),
                Arguments.of(new int[] {2, 3, 5, 7}, new int[] {3, 1, 1}),
                Arguments.of(new int[] {3, 1, 1}, new int[] {2, 3, 5, 7}),
                Arguments.of(new int[] {4, 37}, new int[] {37}),
                Arguments.of(new int[] {1}, new int[] {4, 37}),
                Arguments.of(new int[] {2, 1, 19}, new int[] {3, 1}),
                Arguments.of(new int[] {2, 3, 1, 5}, new int[] {1, 3, 4, 1}),
                Arguments.of(new int[] {5, 1}, new int[] {1, 1}));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void blocksEqualTheReference(int[] a, int[] b) {
        SplittableRandom random = new SplittableRandom(Arrays.hashCode(a) * 31L + Arrays.hashCode(b));
        float[] x = values(random, Shapes.size(a));
        float[] z = values(random, Shapes.size(b));
        Broadcast.Layout layout = Broadcast.layout("test", a, b);
        int n = layout.size();
        for (Broadcast.Operator op : Broadcast.Operator.values()) {
            for (boolean relu : new boolean[] {false, true}) {
                float[] expected = new float[n];
                BroadcastReference.apply(op, x, a, z, b, expected, relu);
                float[] whole = new float[n];
                Broadcast.apply(op, layout, x, z, whole, relu, 0, n);
                assertThat(whole).as("%s, relu %s", op, relu).usingElementComparator(Float::compare).containsExactly(expected);
                float[] chunked = new float[n];
                for (int from = 0; from < n; from += 13) {
                    Broadcast.apply(op, layout, x, z, chunked, relu, from, Math.min(n, from + 13));
                }
                assertThat(chunked).as("%s in chunks of 13", op).usingElementComparator(Float::compare).containsExactly(expected);
            }
        }
    }

    @Test
    void theResultMayOverwriteAnOperandOfItsShape() {
        int[] a = {2, 3, 4, 4};
        int[] b = {3, 1, 1};
        SplittableRandom random = new SplittableRandom(5);
        float[] x = values(random, Shapes.size(a));
        float[] z = values(random, Shapes.size(b));
        float[] expected = new float[x.length];
        BroadcastReference.apply(Broadcast.Operator.MUL, x, a, z, b, expected, true);

        Broadcast.apply(Broadcast.Operator.MUL, Broadcast.layout("test", a, b), x, z, x, true, 0, x.length);

        assertThat(x).usingElementComparator(Float::compare).containsExactly(expected);
    }

    @Test
    void shapesThatCannotBroadcastAreNamed() {
        assertThat(Broadcast.shape("add", new int[] {2, 3, 4}, new int[] {4})).containsExactly(2, 3, 4);
        assertThatThrownBy(() -> Broadcast.shape("add", new int[] {2, 3, 4}, new int[] {3}))
                .hasMessage("add cannot broadcast [2, 3, 4] with [3]: axis 2 of the result has sizes 4 and 3; each must be equal or 1");
    }

    /** Values with zeros and NaN among them, so ReLU's edge and NaN's passage are both seen. */
    private static float[] values(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            int roll = random.nextInt(30);
            v[i] = roll == 0 ? Float.NaN : roll == 1 ? 0f : (float) random.nextGaussian();
        }
        return v;
    }
}
