package dev.anneal.worker.stages;

import java.util.LinkedHashMap;
import java.util.Map;

/** What training reports at its end, under Hugging Face's names. */
public record TrainSummary(double trainLoss, double runtimeSeconds, long globalStep, double epoch, long rows) {
    public Map<String, Double> metrics() {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("train_loss", trainLoss);
        metrics.put("train_runtime", runtimeSeconds);
        metrics.put("train_steps_per_second", globalStep / Math.max(runtimeSeconds, 1e-9));
        metrics.put("train_samples_per_second", rows * epoch / Math.max(runtimeSeconds, 1e-9));
        metrics.put("epoch", epoch);
        metrics.put("global_step", (double) globalStep);
        return metrics;
    }
}
