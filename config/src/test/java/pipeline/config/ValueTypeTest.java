package pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ValueTypeTest {

    enum Strategy { TOPIC, TOPIC_RECORD }

    @Test
    void durationsInEveryUnit() {
        ValueType<Duration> type = ValueType.duration();

        assertThat(type.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(type.parse(" 30s ")).isEqualTo(Duration.ofSeconds(30));
        assertThat(type.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(type.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(type.parse("7d")).isEqualTo(Duration.ofDays(7));
        assertThatThrownBy(() -> type.parse("5 minutes")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decimalsWithinTheirRange() {
        ValueType<Double> type = ValueType.decimal(0, 1);

        assertThat(type.parse("0.001")).isEqualTo(0.001);
        assertThat(type.parse("1e-3")).isEqualTo(0.001);
        assertThat(type.parse("1")).isEqualTo(1.0);
        assertThatThrownBy(() -> type.parse("1.5")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> type.parse("NaN")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> type.parse("a lot")).isInstanceOf(IllegalArgumentException.class);
        assertThat(type.expected()).isEqualTo("a number from 0.0 to 1.0");
    }

    @Test
    void sizesInBinaryUnits() {
        ValueType<Long> type = ValueType.byteSize();

        assertThat(type.parse("512")).isEqualTo(512L);
        assertThat(type.parse("64KiB")).isEqualTo(65536L);
        assertThat(type.parse("10MiB")).isEqualTo(10L << 20);
        assertThat(type.parse("1GiB")).isEqualTo(1L << 30);
        assertThatThrownBy(() -> type.parse("10MB")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void enumsAreSpelledWithDashes() {
        ValueType<Strategy> type = ValueType.oneOf(Strategy.class);

        assertThat(type.parse("topic-record")).isEqualTo(Strategy.TOPIC_RECORD);
        assertThat(type.expected()).isEqualTo("one of topic, topic-record");
        assertThatThrownBy(() -> type.parse("record")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void booleansAreStrict() {
        assertThat(ValueType.bool().parse("TRUE")).isTrue();
        assertThatThrownBy(() -> ValueType.bool().parse("yes")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keysMapToEnvironmentNames() {
        Setting<Integer> port = Setting.of("kafka.port", ValueType.port(), 9092, "broker port");

        assertThat(port.envName()).isEqualTo("PIPELINE_KAFKA_PORT");
        assertThatThrownBy(() -> Setting.of("Port", ValueType.port(), 1, "x")).hasMessageContaining("scope.name");
    }
}
