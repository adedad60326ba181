package dev.anneal.worker.model.seq2seq;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.worker.hf.HfConfig;

/** Token id fields of a config that transformers also allows as lists (several eos ids). */
public final class ConfigIds {
    private ConfigIds() {
    }

    /** The id under {@code name}, the first one when it is a list, or {@code defaultValue} when unset. */
    public static long first(HfConfig config, String name, long defaultValue) {
        JsonNode node = config.getNode(name);
        if (node == null || node.isNull()) {
            return defaultValue;
        }
        if (node.isArray()) {
            if (node.isEmpty() || !node.get(0).canConvertToLong()) {
                throw new IllegalArgumentException("config " + name + " " + node + " must be an id or a non-empty list of ids");
            }
            return node.get(0).asLong();
        }
        return config.getLong(name, defaultValue);
    }
}
