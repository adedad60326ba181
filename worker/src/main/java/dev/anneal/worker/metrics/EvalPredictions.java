package dev.anneal.worker.metrics;

import dev.anneal.worker.run.RunFailure;
import java.util.List;

/**
 * What evaluation predicted on the validation data, in the form the task gives: class ids, multi-label
 * indicator rows, regression values, decoded answer spans, or token ids at the labelled positions; plus
 * the mean validation loss. A metric reads the form it needs and fails clearly when the task has no such form.
 */
public final class EvalPredictions {
    private final long[] predictedClasses;
    private final long[] actualClasses;
    private final boolean[][] predictedLabels;
    private final boolean[][] actualLabels;
    private final double[] predictedValues;
    private final double[] actualValues;
    private final List<String> predictedSpans;
    private final List<List<String>> goldSpans;
    private final long[] predictedTokens;
    private final long[] actualTokens;
    private final Double loss;

    private EvalPredictions(Builder builder) {
        this.predictedClasses = builder.predictedClasses;
        this.actualClasses = builder.actualClasses;
        this.predictedLabels = builder.predictedLabels;
        this.actualLabels = builder.actualLabels;
        this.predictedValues = builder.predictedValues;
        this.actualValues = builder.actualValues;
        this.predictedSpans = builder.predictedSpans;
        this.goldSpans = builder.goldSpans;
        this.predictedTokens = builder.predictedTokens;
        this.actualTokens = builder.actualTokens;
        this.loss = builder.loss;
    }

    public static EvalPredictions classes(long[] predicted, long[] actual) {
        return new Builder().classes(predicted, actual).build();
    }

    public static EvalPredictions multiLabel(boolean[][] predicted, boolean[][] actual) {
        return new Builder().multiLabel(predicted, actual).build();
    }

    public static EvalPredictions values(double[] predicted, double[] actual) {
        return new Builder().values(predicted, actual).build();
    }

    public static EvalPredictions spans(List<String> predicted, List<List<String>> gold) {
        return new Builder().spans(predicted, gold).build();
    }

    public static EvalPredictions tokens(long[] predicted, long[] actual) {
        return new Builder().tokens(predicted, actual).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean hasClasses() {
        return actualClasses != null;
    }

    public boolean hasMultiLabel() {
        return actualLabels != null;
    }

    public boolean hasValues() {
        return actualValues != null;
    }

    public boolean hasSpans() {
        return goldSpans != null;
    }

    public boolean hasTokens() {
        return actualTokens != null;
    }

    public long[] predictedClasses(String metric) {
        require(hasClasses(), metric, "class predictions (single-label classification)");
        return predictedClasses;
    }

    public long[] actualClasses(String metric) {
        require(hasClasses(), metric, "class predictions (single-label classification)");
        return actualClasses;
    }

    public boolean[][] predictedLabels(String metric) {
        require(hasMultiLabel(), metric, "multi-label predictions");
        return predictedLabels;
    }

    public boolean[][] actualLabels(String metric) {
        require(hasMultiLabel(), metric, "multi-label predictions");
        return actualLabels;
    }

    public double[] predictedValues(String metric) {
        require(hasValues(), metric, "regression predictions");
        return predictedValues;
    }

    public double[] actualValues(String metric) {
        require(hasValues(), metric, "regression predictions");
        return actualValues;
    }

    public List<String> predictedSpans(String metric) {
        require(hasSpans(), metric, "answer spans (question-answering)");
        return predictedSpans;
    }

    public List<List<String>> goldSpans(String metric) {
        require(hasSpans(), metric, "answer spans (question-answering)");
        return goldSpans;
    }

    public long[] predictedTokens(String metric) {
        require(hasTokens(), metric, "token predictions");
        return predictedTokens;
    }

    public long[] actualTokens(String metric) {
        require(hasTokens(), metric, "token predictions");
        return actualTokens;
    }

    public double loss(String metric) {
        require(loss != null, metric, "the validation loss");
        return loss;
    }

    private static void require(boolean present, String metric, String what) {
        if (!present) {
            throw RunFailure.invalidArgument("metrics", "'" + metric + "' needs " + what
                    + ", which this task does not produce");
        }
    }

    /** Collects the parts evaluation produced. */
    public static final class Builder {
        private long[] predictedClasses;
        private long[] actualClasses;
        private boolean[][] predictedLabels;
        private boolean[][] actualLabels;
        private double[] predictedValues;
        private double[] actualValues;
        private List<String> predictedSpans;
        private List<List<String>> goldSpans;
        private long[] predictedTokens;
        private long[] actualTokens;
        private Double loss;

        public Builder classes(long[] predicted, long[] actual) {
            sameLength(predicted.length, actual.length);
            this.predictedClasses = predicted;
            this.actualClasses = actual;
            return this;
        }

        public Builder multiLabel(boolean[][] predicted, boolean[][] actual) {
            sameLength(predicted.length, actual.length);
            this.predictedLabels = predicted;
            this.actualLabels = actual;
            return this;
        }

        public Builder values(double[] predicted, double[] actual) {
            sameLength(predicted.length, actual.length);
            this.predictedValues = predicted;
            this.actualValues = actual;
            return this;
        }

        public Builder spans(List<String> predicted, List<List<String>> gold) {
            sameLength(predicted.size(), gold.size());
            this.predictedSpans = List.copyOf(predicted);
            this.goldSpans = gold.stream().map(List::copyOf).toList();
            return this;
        }

        public Builder tokens(long[] predicted, long[] actual) {
            sameLength(predicted.length, actual.length);
            this.predictedTokens = predicted;
            this.actualTokens = actual;
            return this;
        }

        public Builder loss(double value) {
            this.loss = value;
            return this;
        }

        public EvalPredictions build() {
            return new EvalPredictions(this);
        }

        private static void sameLength(int predicted, int actual) {
            if (predicted != actual) {
                throw new IllegalArgumentException(predicted + " predictions for " + actual + " labels");
            }
        }
    }
}
