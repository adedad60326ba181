package dev.anneal.worker.stages;

import java.util.Map;

/** eval_loss and eval_&lt;metric&gt; values of the final evaluation. */
public record EvaluationResult(Map<String, Double> metrics) {
}
