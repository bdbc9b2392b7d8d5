package pipeline.convnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The persistent team runs every chunk of a region exactly once, whoever calls and however regions nest or overlap. */
class TeamTest {

    @Test
    void everyChunkOfManyBackToBackRegionsRunsExactlyOnce() {
        try (Team team = new Team(3)) {
            for (int region = 0; region < 2_000; region++) {
                int chunks = 1 + region % 17;
                AtomicIntegerArray runs = new AtomicIntegerArray(chunks);
                team.run(chunks, runs::incrementAndGet);
                for (int c = 0; c < chunks; c++) {
                    assertThat(runs.get(c)).as("region %d chunk %d", region, c).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void helpersThatHaveParkedWakeForTheNextRegion() throws InterruptedException {
        try (Team team = new Team(2)) {
            for (int region = 0; region < 5; region++) {
                Thread.sleep(5); // longer than the spin: the helper parks
                AtomicIntegerArray runs = new AtomicIntegerArray(64);
                team.run(64, runs::incrementAndGet);
                for (int c = 0; c < 64; c++) {
                    assertThat(runs.get(c)).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void aRegionInsideARegionAndRegionsOfTwoCallersAtOnceComplete() throws InterruptedException {
        try (Team team = new Team(2)) {
            AtomicIntegerArray inner = new AtomicIntegerArray(8 * 8);
            team.run(8, outer -> team.run(8, c -> inner.incrementAndGet(outer * 8 + c)));
            for (int i = 0; i < 64; i++) {
                assertThat(inner.get(i)).isEqualTo(1);
            }
            AtomicIntegerArray[] byCaller = {new AtomicIntegerArray(10), new AtomicIntegerArray(10)};
            Thread[] callers = new Thread[2];
            for (int t = 0; t < 2; t++) {
                AtomicIntegerArray runs = byCaller[t];
                callers[t] = Thread.ofPlatform().start(() -> {
                    for (int region = 0; region < 100; region++) {
                        team.run(10, runs::incrementAndGet);
                    }
                });
            }
            for (Thread caller : callers) {
                caller.join();
            }
            for (AtomicIntegerArray runs : byCaller) {
                for (int c = 0; c < 10; c++) {
                    assertThat(runs.get(c)).isEqualTo(100);
                }
            }
        }
    }

    @Test
    void aChunkThatFailsFailsTheRegionWithItsException() {
        try (Team team = new Team(2)) {
            assertThatThrownBy(() -> team.run(16, c -> {
                if (c == 11) {
                    throw new IllegalArgumentException("chunk 11");
                }
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("chunk 11");
            AtomicIntegerArray runs = new AtomicIntegerArray(4);
            team.run(4, runs::incrementAndGet);
            assertThat(runs.get(3)).as("the team goes on").isEqualTo(1);
        }
    }
}
