package dev.anneal.worker.model.layers;

import ai.djl.ndarray.NDArray;

/** Where a linear layer's weight comes from when it is not the weight parameter's array (a quantized copy). */
@FunctionalInterface
public interface LinearWeightSource {
    /** The [out, in] weight for one forward pass on {@code input}, attached to the input's manager. */
    NDArray weightFor(NDArray input);
}
