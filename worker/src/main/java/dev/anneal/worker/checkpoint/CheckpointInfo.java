package dev.anneal.worker.checkpoint;

import java.nio.file.Path;
import java.util.Map;

/** A saved checkpoint: its step, directory and the evaluation metrics it was saved with (may be empty). */
public record CheckpointInfo(long step, Path directory, Map<String, Double> metrics) {
    public CheckpointInfo {
        metrics = Map.copyOf(metrics);
    }
}
