package pipeline.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import pipeline.convnet.data.Dataset;
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
    void aStartReplayTakesItsShareOfEveryDrawFromTheStartImagesAndTheRestStaysHalfRecentHalfOlder() {
        int size = 50;
        byte[] pixels = new byte[size];
        int[] labels = new int[size];
        for (int i = 0; i < size; i++) {
            pixels[i] = (byte) i;
            labels[i] = i % 2;
        }
        StartReplay start = new StartReplay(new Dataset(pixels, labels, 1, 1, 1, List.of("0", "1")), 0.25);
        ReplayBuffer buffer = new ReplayBuffer(200, 7, start);
        for (int i = 0; i < 10_000; i++) {
            buffer.add(sample(i));
        }

        List<Sample> drawn = buffer.draw(2_000);

        List<Sample> fromStart = drawn.stream().filter(s -> s.imageId().startsWith("start-")).toList();
        assertThat(fromStart).hasSize(500);
        assertThat(fromStart.stream().map(s -> s.pixels()[0]).distinct().count()).as("distinct start images drawn").isGreaterThan(40);
        long recent = drawn.stream().filter(s -> !s.imageId().startsWith("start-") && number(s) >= 9_900).count();
        assertThat(recent).isEqualTo(750);
    }

    @Test
    void knowsWhichImagesItHoldsByTheirPixelsUntilTheLastCopyIsGone() {
        ReplayBuffer buffer = new ReplayBuffer(4, 3);
        buffer.add(new Sample("first", pixels(1), "a"));
        buffer.add(new Sample("the same image again", pixels(1), "b"));

        assertThat(buffer.holds(pixels(1))).isTrue();
        assertThat(buffer.holds(pixels(2))).isFalse();
        for (int i = 10; i < 1_000; i++) {
            buffer.add(new Sample("image-" + i, pixels(i), "a"));
        }
        assertThat(buffer.holds(pixels(1))).as("long since evicted from a buffer of 4").isFalse();
        assertThat(IntStream.range(10, 1_000).filter(i -> buffer.holds(pixels(i))).count()).as("images held").isEqualTo(4);
    }

    private static byte[] pixels(int i) {
        return new byte[] {(byte) i, (byte) (i >> 8)};
    }

    @Test
    void aReplayShareNeedsImagesToReplay() {
        assertThatThrownBy(() -> new StartReplay(null, 0.5)).hasMessageContaining("needs start data with images");
        assertThatThrownBy(() -> new StartReplay(null, 1.0)).hasMessageContaining("in [0, 1); got 1.0");
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
