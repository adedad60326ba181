package dev.anneal.worker.metrics;

import dev.anneal.worker.run.RunFailure;
import java.util.Locale;

/**
 * sklearn's precision_score / recall_score / f1_score with {@code average} binary (positive class 1),
 * macro, micro or weighted; an undefined ratio counts as 0 (zero_division's default). Multi-label rows are
 * scored per label column. On question-answering spans, plain {@code f1} is SQuAD's token F1 instead.
 */
public final class PrecisionRecallF1 implements Metric {
    public enum Score { PRECISION, RECALL, F1 }

    public enum Average { BINARY, MACRO, MICRO, WEIGHTED }

    private static final long POSITIVE = 1;

    private final Score score;
    private final Average average;

    public PrecisionRecallF1(Score score, Average average) {
        this.score = score;
        this.average = average;
    }

    @Override
    public String name() {
        String base = score.name().toLowerCase(Locale.ROOT);
        return average == Average.BINARY ? base : base + "_" + average.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public double compute(EvalPredictions predictions) {
        if (score == Score.F1 && average == Average.BINARY && predictions.hasSpans()) {
            return new SquadF1().compute(predictions);
        }
        ClassCounts counts;
        if (predictions.hasMultiLabel()) {
            if (average == Average.BINARY) {
                throw RunFailure.invalidArgument("metrics", "'" + name() + "' is binary; multi-label "
                        + "classification needs " + name() + "_macro, _micro or _weighted");
            }
            counts = ClassCounts.of(predictions.predictedLabels(name()), predictions.actualLabels(name()));
        } else {
            counts = ClassCounts.of(predictions.predictedClasses(name()), predictions.actualClasses(name()));
        }
        if (counts.classes().length == 0) {
            return Double.NaN;
        }
        return switch (average) {
            case BINARY -> binary(counts);
            case MICRO -> ratio(sum(counts.truePositives()), sum(counts.falsePositives()),
                    sum(counts.falseNegatives()));
            case MACRO -> {
                double total = 0;
                for (int c = 0; c < counts.classes().length; c++) {
                    total += perClass(counts, c);
                }
                yield total / counts.classes().length;
            }
            case WEIGHTED -> {
                double total = 0;
                long support = sum(counts.support());
                for (int c = 0; c < counts.classes().length; c++) {
                    total += perClass(counts, c) * counts.support()[c];
                }
                yield support == 0 ? 0 : total / support;
            }
        };
    }

    private double binary(ClassCounts counts) {
        int positive = counts.indexOf(POSITIVE);
        if (counts.classes().length > 2 || (counts.classes().length == 2 && positive < 0)) {
            throw RunFailure.invalidArgument("metrics", "'" + name() + "' scores class 1 of a binary task, but "
                    + "the labels are " + java.util.Arrays.toString(counts.classes()) + "; use " + name()
                    + "_macro, _micro or _weighted");
        }
        return positive < 0 ? 0 : perClass(counts, positive);
    }

    private double perClass(ClassCounts counts, int c) {
        return ratio(counts.truePositives()[c], counts.falsePositives()[c], counts.falseNegatives()[c]);
    }

    private double ratio(long tp, long fp, long fn) {
        return switch (score) {
            case PRECISION -> divide(tp, tp + fp);
            case RECALL -> divide(tp, tp + fn);
            case F1 -> divide(2 * tp, 2 * tp + fp + fn);
        };
    }

    private static double divide(long numerator, long denominator) {
        return denominator == 0 ? 0 : (double) numerator / denominator;
    }

    private static long sum(long[] values) {
        long total = 0;
        for (long value : values) {
            total += value;
        }
        return total;
    }
}
