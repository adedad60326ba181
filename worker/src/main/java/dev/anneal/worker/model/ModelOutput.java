package dev.anneal.worker.model;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a forward pass returns, keyed by the Hugging Face output names (logits, start_logits,
 * end_logits, last_hidden_state, pooler_output, ...); {@code loss} is null when the batch had no labels.
 */
public record ModelOutput(NDArray loss, Map<String, NDArray> tensors) {
    public ModelOutput {
        // Insertion order is kept (HF output order: logits before hidden states); nulls are refused.
        tensors.forEach((name, array) -> Objects.requireNonNull(array, name));
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
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
