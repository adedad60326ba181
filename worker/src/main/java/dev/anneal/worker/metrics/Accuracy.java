package dev.anneal.worker.metrics;

import java.util.Arrays;

/**
 * The fraction of predictions equal to the truth, as sklearn's accuracy_score: per example for class ids;
 * for multi-label rows an example counts only when every label is right (subset accuracy).
 */
public final class Accuracy implements Metric {
    @Override
    public String name() {
        return "accuracy";
    }

    @Override
    public double compute(EvalPredictions predictions) {
        if (predictions.hasMultiLabel()) {
            boolean[][] predicted = predictions.predictedLabels(name());
            boolean[][] actual = predictions.actualLabels(name());
            if (actual.length == 0) {
                return Double.NaN;
            }
            long correct = 0;
            for (int i = 0; i < actual.length; i++) {
                if (Arrays.equals(predicted[i], actual[i])) {
                    correct++;
                }
            }
            return (double) correct / actual.length;
        }
        long[] predicted = predictions.predictedClasses(name());
        long[] actual = predictions.actualClasses(name());
        if (actual.length == 0) {
            return Double.NaN;
        }
        long correct = 0;
        for (int i = 0; i < actual.length; i++) {
            if (predicted[i] == actual[i]) {
                correct++;
            }
        }
        return (double) correct / actual.length;
    }
}
