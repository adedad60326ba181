package dev.anneal.worker.stages;

import dev.anneal.worker.task.Feature;
import java.util.List;

/** Training and validation features, in row order; validation is empty when none was given. */
public record TokenizedData(List<Feature> train, List<Feature> validation) {
}
