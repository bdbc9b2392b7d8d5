package pipeline.convnet.loss;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TopKTest {

    @Test
    void theBestComeFirstAndTiesKeepTheLowerIndexFirst() {
        float[] row = {9, 0.1f, 0.7f, 0.2f, 0.7f, 0.05f};

        assertThat(TopK.of(row, 1, 5, 3)).containsExactly(1, 3, 2);
        assertThat(TopK.of(row, 1, 5, 9)).containsExactly(1, 3, 2, 0, 4);
    }

    @Test
    void matchesAFullStableSortOnRandomRows() {
        Random random = new Random(3);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + random.nextInt(1000);
            float[] scores = new float[n];
            for (int i = 0; i < n; i++) {
                // Few distinct values, so ties are common.
                scores[i] = random.nextInt(50) / 7f;
            }
            int k = 1 + random.nextInt(12);
            int[] sorted = IntStream.range(0, n).boxed().sorted(Comparator.comparingDouble((Integer i) -> -scores[i]))
                    .mapToInt(Integer::intValue).toArray();

            assertThat(TopK.of(scores, 0, n, k)).containsExactly(Arrays.copyOf(sorted, Math.min(k, n)));
        }
    }
}
