package dev.anneal.worker.metrics;

/** A named evaluation metric over what evaluation predicted; reported as {@code eval_<name>}. */
public interface Metric {
    String name();

    double compute(EvalPredictions predictions);

    /** The metric over predicted and true class ids. */
    default double compute(long[] predicted, long[] actual) {
        return compute(EvalPredictions.classes(predicted, actual));
    }
}
