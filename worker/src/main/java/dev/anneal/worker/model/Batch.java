package dev.anneal.worker.model;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One batch of model inputs keyed by the Hugging Face argument names, as in {@code model(**batch)}:
 * input_ids, attention_mask, token_type_ids, labels, start_positions, end_positions,
 * decoder_input_ids, decoder_attention_mask. Labels present means the model computes its loss.
 */
public final class Batch {
    private final Map<String, NDArray> tensors;

    public Batch(Map<String, NDArray> tensors) {
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /** The tensor under {@code name}; fails when absent. */
    public NDArray get(String name) {
        NDArray array = tensors.get(name);
        if (array == null) {
            throw new IllegalArgumentException("batch has no '" + name + "'; it has " + tensors.keySet());
        }
        return array;
    }

    /** The tensor under {@code name}, or null when absent. */
    public NDArray find(String name) {
        return tensors.get(name);
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    public Map<String, NDArray> tensors() {
        return tensors;
    }

    /** Number of examples (the first dimension of input_ids). */
    public long size() {
        return get("input_ids").getShape().get(0);
    }
}
