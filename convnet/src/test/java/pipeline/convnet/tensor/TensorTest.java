package pipeline.convnet.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A tensor's values are its array's first {@code size()} elements; only a view may have a longer array. */
class TensorTest {

    @Test
    void aViewSitsAtTheStartOfALongerArray() {
        float[] buffer = {1, 2, 3, 4, 5, 6, 7, 8};

        Tensor view = Tensor.view(buffer, 2, 3);

        assertThat(view.size()).isEqualTo(6);
        assertThat(view.get(1, 2)).isEqualTo(6f);
        assertThat(view.copy().data()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(view.reshape(3, 2).data()).isSameAs(buffer);
    }

    @Test
    void sizesThatDoNotFitAreRefusedWithBoth() {
        assertThatThrownBy(() -> new Tensor(new float[8], 2, 3))
                .hasMessageContaining("[2, 3]").hasMessageContaining("holds 6 values, but 8 were given");
        assertThatThrownBy(() -> Tensor.view(new float[5], 2, 3))
                .hasMessageContaining("the array holds only 5");
        assertThatThrownBy(() -> Tensor.view(new float[8], 2, 3).reshape(7))
                .hasMessageContaining("cannot reshape [2, 3] (6 values) to [7] (7 values)");
    }
}
