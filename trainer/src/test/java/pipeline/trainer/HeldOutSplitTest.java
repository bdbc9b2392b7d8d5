package pipeline.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HeldOutSplitTest {

    @Test
    void holdsOutAboutItsShareOfIdsAndAlwaysTheSameOnes() {
        HeldOutSplit split = new HeldOutSplit(10);
        long held = IntStream.range(0, 20_000).filter(i -> split.heldOut("img-" + i)).count();

        assertThat(held).isBetween(1_800L, 2_200L);
        assertThat(IntStream.range(0, 1_000).allMatch(i -> split.heldOut("img-" + i) == new HeldOutSplit(10).heldOut("img-" + i)))
                .isTrue();
    }

    @Test
    void aLargerShareHoldsOutEveryIdASmallerOneDoes() {
        assertThat(IntStream.range(0, 5_000).mapToObj(i -> "id" + i).filter(new HeldOutSplit(5)::heldOut)
                .allMatch(new HeldOutSplit(20)::heldOut)).isTrue();
    }

    @Test
    void sharesOutsideOneToFiftyPercentAreRefused() {
        assertThatThrownBy(() -> new HeldOutSplit(0)).hasMessageContaining("1 to 50 percent; got 0");
        assertThatThrownBy(() -> new HeldOutSplit(60)).hasMessageContaining("got 60");
    }
}
