package dev.anneal.worker.model.layers;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/**
 * A stored parameter of a model: the DJL parameter that holds its array, the shape the architecture
 * requires, and how to initialise it when a checkpoint lacks it.
 *
 * @param paddingIndex for embeddings, the row that transformers zeroes after init; -1 for none
 */
public record ParameterSpec(Parameter parameter, Shape shape, WeightInit init, long paddingIndex) {
}
