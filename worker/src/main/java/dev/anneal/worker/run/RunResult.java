package dev.anneal.worker.run;

import java.nio.file.Path;
import java.util.Map;

/** What a successful run produced: the saved model directory and its final metrics. */
public record RunResult(Path modelDir, Map<String, Double> metrics) {
    public RunResult {
        metrics = Map.copyOf(metrics);
    }
}
