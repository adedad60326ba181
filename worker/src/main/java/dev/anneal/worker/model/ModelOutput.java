package dev.anneal.worker.model;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * What a forward pass returns, keyed by the Hugging Face output names (logits, start_logits,
 * end_logits, last_hidden_state, pooler_output, ...); {@code loss} is null when the batch had no labels.
 */
public record ModelOutput(NDArray loss, Map<String, NDArray> tensors) {
    public ModelOutput {
        tensors = Map.copyOf(tensors);
    }

    public NDArray get(String name) {
        NDArray array = tensors.get(name);
        if (array == null) {
            throw new IllegalArgumentException("model output has no '" + name + "'; it has " + tensors.keySet());
        }
        return array;
    }

    public NDArray logits() {
        return get("logits");
    }
}
