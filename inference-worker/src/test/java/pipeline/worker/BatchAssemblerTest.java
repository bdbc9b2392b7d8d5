package pipeline.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BatchAssemblerTest {

    static final long MS = 1_000_000L;

    @Test
    void aFullBatchIsDueAtOnce() {
        BatchAssembler<Integer> batches = new BatchAssembler<>(3, Duration.ofMillis(20));
        for (int i = 0; i < 3; i++) {
            batches.add(i, 100 * MS);
        }

        assertThat(batches.isDue(100 * MS)).isTrue();
        assertThat(batches.untilDue(100 * MS)).isZero();
        assertThat(batches.take()).containsExactly(0, 1, 2);
    }

    @Test
    void aLoneItemIsDueMaxDelayAfterItArrivedAndNoLater() {
        BatchAssembler<String> batches = new BatchAssembler<>(32, Duration.ofMillis(20));
        batches.add("lone", 100 * MS);

        assertThat(batches.isDue(119 * MS)).isFalse();
        assertThat(batches.untilDue(105 * MS)).isEqualTo(Duration.ofMillis(15));
        assertThat(batches.isDue(120 * MS)).isTrue();
    }

    @Test
    void theDelayCountsFromTheFirstItemNotTheLatest() {
        BatchAssembler<String> batches = new BatchAssembler<>(32, Duration.ofMillis(20));
        batches.add("first", 100 * MS);
        batches.add("later", 118 * MS);

        assertThat(batches.isDue(120 * MS)).isTrue();
    }

    @Test
    void itemsBeyondAFullBatchWaitWithTheirOwnArrivalTime() {
        BatchAssembler<Integer> batches = new BatchAssembler<>(2, Duration.ofMillis(20));
        batches.add(1, 100 * MS);
        batches.add(2, 100 * MS);
        batches.add(3, 110 * MS);

        assertThat(batches.take()).containsExactly(1, 2);
        assertThat(batches.waiting()).isEqualTo(1);
        assertThat(batches.isDue(125 * MS)).isFalse();
        assertThat(batches.isDue(130 * MS)).isTrue();
        assertThat(batches.untilDue(200 * MS)).isZero();
    }

    @Test
    void nothingWaitingIsNeverDue() {
        BatchAssembler<Integer> batches = new BatchAssembler<>(2, Duration.ofMillis(20));

        assertThat(batches.isDue(Long.MAX_VALUE)).isFalse();
        assertThat(batches.untilDue(0)).isEqualTo(Duration.ofMillis(20));
        assertThat(batches.take()).isEmpty();
    }
}
