package pipeline.ops.load;

import java.util.function.DoubleBinaryOperator;

/** Values of one metric in a Prometheus text exposition, across its label sets. */
public final class PrometheusText {

    private PrometheusText() {
    }

    /** The sum of {@code metric}'s samples (every label set); 0 when it is not there. */
    public static double sum(String exposition, String metric) {
        return fold(exposition, metric, 0, Double::sum);
    }

    /** The largest of {@code metric}'s samples; 0 when it is not there. */
    public static double max(String exposition, String metric) {
        return fold(exposition, metric, 0, Math::max);
    }

    private static double fold(String exposition, String metric, double start, DoubleBinaryOperator op) {
        double value = start;
        for (String line : exposition.split("\n")) {
            if (line.startsWith(metric + " ") || line.startsWith(metric + "{")) {
                double sample = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                if (!Double.isNaN(sample)) {
                    value = op.applyAsDouble(value, sample);
                }
            }
        }
        return value;
    }
}
