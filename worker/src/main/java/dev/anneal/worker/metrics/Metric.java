package dev.anneal.worker.metrics;

/** A named evaluation metric over predicted and true class ids; reported as {@code eval_<name>}. */
public interface Metric {
    String name();

    double compute(long[] predicted, long[] actual);
}
