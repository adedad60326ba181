package dev.anneal.worker.metrics;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;

/**
 * Regression metrics over predicted and true values: mean squared error, mean absolute error, Pearson's r
 * and Spearman's rank correlation (Pearson on ranks, ties sharing their average rank, as scipy does);
 * a correlation with a constant side is NaN, as in scipy.
 */
public final class RegressionMetric implements Metric {
    public enum Kind { MSE, MAE, PEARSON, SPEARMAN }

    private final Kind kind;

    public RegressionMetric(Kind kind) {
        this.kind = kind;
    }

    @Override
    public String name() {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public double compute(EvalPredictions predictions) {
        double[] predicted = predictions.predictedValues(name());
        double[] actual = predictions.actualValues(name());
        if (actual.length == 0) {
            return Double.NaN;
        }
        return switch (kind) {
            case MSE -> {
                double sum = 0;
                for (int i = 0; i < actual.length; i++) {
                    sum += (predicted[i] - actual[i]) * (predicted[i] - actual[i]);
                }
                yield sum / actual.length;
            }
            case MAE -> {
                double sum = 0;
                for (int i = 0; i < actual.length; i++) {
                    sum += Math.abs(predicted[i] - actual[i]);
                }
                yield sum / actual.length;
            }
            case PEARSON -> pearson(predicted, actual);
            case SPEARMAN -> pearson(ranks(predicted), ranks(actual));
        };
    }

    static double pearson(double[] x, double[] y) {
        double meanX = Arrays.stream(x).average().orElse(Double.NaN);
        double meanY = Arrays.stream(y).average().orElse(Double.NaN);
        double covariance = 0;
        double varianceX = 0;
        double varianceY = 0;
        for (int i = 0; i < x.length; i++) {
            covariance += (x[i] - meanX) * (y[i] - meanY);
            varianceX += (x[i] - meanX) * (x[i] - meanX);
            varianceY += (y[i] - meanY) * (y[i] - meanY);
        }
        if (varianceX == 0 || varianceY == 0) {
            return Double.NaN;
        }
        return covariance / Math.sqrt(varianceX * varianceY);
    }

    /** 1-based ranks; tied values share the mean of the ranks they span. */
    static double[] ranks(double[] values) {
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
        double[] ranks = new double[values.length];
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j + 1 < order.length && values[order[j + 1]] == values[order[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                ranks[order[k]] = rank;
            }
            i = j + 1;
        }
        return ranks;
    }
}
