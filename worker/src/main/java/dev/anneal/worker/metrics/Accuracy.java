package dev.anneal.worker.metrics;

/** The fraction of predictions equal to the true class. */
public final class Accuracy implements Metric {
    @Override
    public String name() {
        return "accuracy";
    }

    @Override
    public double compute(long[] predicted, long[] actual) {
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
