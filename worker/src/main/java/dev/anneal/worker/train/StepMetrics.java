package dev.anneal.worker.train;

/** Names of the per-step values the training loop records in DJL's {@code Metrics} for its listeners. */
public final class StepMetrics {
    public static final String GLOBAL_STEP = "global_step";
    public static final String EPOCH = "epoch";
    public static final String LOSS = "loss";
    public static final String LEARNING_RATE = "learning_rate";
    public static final String GRAD_NORM = "grad_norm";
    public static final String SAMPLES = "samples";

    private StepMetrics() {
    }
}
