package pipeline.convnet.train;

import java.util.List;

/**
 * How a network did on a labelled set.
 *
 * @param confusion   {@code confusion[true][predicted]} counts
 * @param meanLoss    mean cross-entropy per image
 * @param predictions the predicted class of each image, in the set's order (for paired comparisons of two networks)
 */
public record Evaluation(int[][] confusion, double meanLoss, List<String> classNames, int[] predictions) {

    public int total() {
        int total = 0;
        for (int[] row : confusion) {
            for (int count : row) {
                total += count;
            }
        }
        return total;
    }

    /** Top-1 accuracy, 0 to 1. */
    public double accuracy() {
        int correct = 0;
        for (int k = 0; k < confusion.length; k++) {
            correct += confusion[k][k];
        }
        return total() == 0 ? 0 : (double) correct / total();
    }

    /** Accuracy within each true class (recall), 0 to 1; NaN for a class with no images. */
    public double[] perClassAccuracy() {
        double[] accuracy = new double[confusion.length];
        for (int k = 0; k < confusion.length; k++) {
            int sum = 0;
            for (int count : confusion[k]) {
                sum += count;
            }
            accuracy[k] = sum == 0 ? Double.NaN : (double) confusion[k][k] / sum;
        }
        return accuracy;
    }

    /** The confusion matrix as text, true classes down, predictions across. */
    public String confusionTable() {
        StringBuilder out = new StringBuilder(String.format("%-14s", "true \\ pred"));
        for (int k = 0; k < confusion.length; k++) {
            out.append(String.format("%6d", k));
        }
        out.append(String.format("%9s%n", "acc"));
        double[] perClass = perClassAccuracy();
        for (int k = 0; k < confusion.length; k++) {
            out.append(String.format("%-14s", abbreviate(classNames.get(k))));
            for (int count : confusion[k]) {
                out.append(String.format("%6d", count));
            }
            out.append(String.format("%8.1f%%%n", 100 * perClass[k]));
        }
        return out.toString();
    }

    private static String abbreviate(String name) {
        return name.length() <= 13 ? name : name.substring(0, 12) + "…";
    }
}
