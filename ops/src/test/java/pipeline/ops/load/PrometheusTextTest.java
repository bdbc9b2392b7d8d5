package pipeline.ops.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    private static final String EXPOSITION = """
            # HELP jvm_gc_pause_seconds Time spent in GC pause
            # TYPE jvm_gc_pause_seconds summary
            jvm_gc_pause_seconds_count{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} 12
            jvm_gc_pause_seconds_sum{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} 0.25
            jvm_gc_pause_seconds_sum{action="end of major GC",cause="System.gc()",gc="G1 Old Generation"} 0.5
            jvm_gc_pause_seconds_max{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} 0.031
            jvm_gc_pause_seconds_max{action="end of major GC",cause="System.gc()",gc="G1 Old Generation"} 0.2
            worker_consumer_lag 7.0
            """;

    @Test
    void sumsAndMaximaAcrossLabelSetsOfOneMetricOnly() {
        assertThat(PrometheusText.sum(EXPOSITION, "jvm_gc_pause_seconds_sum")).isEqualTo(0.75);
        assertThat(PrometheusText.max(EXPOSITION, "jvm_gc_pause_seconds_max")).isEqualTo(0.2);
        assertThat(PrometheusText.sum(EXPOSITION, "worker_consumer_lag")).isEqualTo(7.0);
        assertThat(PrometheusText.sum(EXPOSITION, "jvm_gc_pause_seconds")).as("a prefix of other metrics' names is not them").isZero();
    }
}
