package pipeline.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayBufferTest {

    static Sample sample(int i) {
        return new Sample("image-" + i, new byte[] {(byte) i}, Integer.toString(i));
    }

    /** Which sample it is: its label is its number. */
    static int number(Sample sample) {
        return Integer.parseInt(sample.label());
    }

    @Test
    void keepsAtMostItsCapacity() {
        ReplayBuffer buffer = new ReplayBuffer(100, 1);
        for (int i = 0; i < 10_000; i++) {
            buffer.add(sample(i));
        }

        assertThat(buffer.size()).isEqualTo(100);
    }

    @Test
    void drawsHalfFromTheRecentSamplesAndHalfFromAReservoirOfAllOlderOnes() {
        ReplayBuffer buffer = new ReplayBuffer(200, 7);
        for (int i = 0; i < 10_000; i++) {
            buffer.add(sample(i));
        }

        List<Sample> drawn = buffer.draw(2_000);

        // The recent half holds samples 9,900..9,999; the reservoir a uniform sample of 0..9,899.
        long recent = drawn.stream().filter(s -> number(s) >= 9_900).count();
        assertThat(recent).isEqualTo(1_000);
        double olderMean = drawn.stream().filter(s -> number(s) < 9_900).mapToInt(ReplayBufferTest::number).average().orElseThrow();
        assertThat(olderMean).as("mean number of the reservoir's draws (uniform over 0..9,899: 4,950)").isBetween(4_000.0, 5_900.0);
        long firstThousand = drawn.stream().filter(s -> number(s) < 1_000).count();
        assertThat(firstThousand).as("draws of the oldest tenth, which a recent-only buffer would have forgotten").isGreaterThan(30);
    }

    @Test
    void drawsOnlyRecentSamplesUntilTheReservoirHasAny() {
        ReplayBuffer buffer = new ReplayBuffer(100, 1);
        for (int i = 0; i < 10; i++) {
            buffer.add(sample(i));
        }

        assertThat(buffer.draw(50)).hasSize(50).allMatch(s -> number(s) < 10);
    }

    @Test
    void anEmptyBufferSaysSoWhenDrawnFrom() {
        assertThatThrownBy(() -> new ReplayBuffer(10, 1).draw(1)).hasMessageContaining("the replay buffer is empty");
    }
}
