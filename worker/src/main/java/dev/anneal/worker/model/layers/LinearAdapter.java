package dev.anneal.worker.model.layers;

import ai.djl.ndarray.NDArray;

/** Something added to a linear layer's output for the same input, such as a LoRA update. */
@FunctionalInterface
public interface LinearAdapter {
    /** The term added to {@code x W^T + b}, with the output's shape. */
    NDArray delta(NDArray input);
}
