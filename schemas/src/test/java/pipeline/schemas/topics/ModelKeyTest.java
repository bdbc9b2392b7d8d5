package pipeline.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelKeyTest {

    @Test
    void roundTripsThroughItsText() {
        ModelKey key = new ModelKey("fashion-lenet5", 12);

        assertThat(key.toString()).isEqualTo("fashion-lenet5:12");
        assertThat(ModelKey.parse("fashion-lenet5:12")).isEqualTo(key);
    }

    @Test
    void refusesMalformedKeysSayingWhatIsExpected() {
        assertThatThrownBy(() -> ModelKey.parse("fashion")).hasMessageContaining("name:version");
        assertThatThrownBy(() -> ModelKey.parse("fashion:v2")).hasMessageContaining("must end with a version number");
        assertThatThrownBy(() -> ModelKey.parse("fashion:0")).hasMessageContaining("must be 1 or more");
        assertThatThrownBy(() -> new ModelKey("Fashion Net", 1)).hasMessageContaining("a-z, 0-9");
    }
}
