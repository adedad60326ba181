package dev.anneal.worker.task;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One tokenized training example, unpadded: integer sequences and values (input_ids, attention_mask,
 * token_type_ids, integer labels, positions) and float values (multi-label and regression targets),
 * keyed by the Hugging Face names the model takes.
 */
public record Feature(Map<String, long[]> longs, Map<String, float[]> floats) {
    public Feature {
        longs = Collections.unmodifiableMap(new LinkedHashMap<>(longs));
        floats = Collections.unmodifiableMap(new LinkedHashMap<>(floats));
    }

    public long[] ids() {
        return longs.get("input_ids");
    }

    public int length() {
        return ids().length;
    }
}
