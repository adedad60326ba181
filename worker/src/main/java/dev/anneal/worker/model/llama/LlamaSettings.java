package dev.anneal.worker.model.llama;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.layers.Activations;

/** The LlamaConfig fields the Llama blocks use, with transformers' defaults. */
record LlamaSettings(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int layers,
        int heads,
        int keyValueHeads,
        int headDim,
        String hiddenAct,
        double rmsNormEps,
        double ropeTheta,
        boolean attentionBias,
        boolean mlpBias,
        double attentionDropout,
        Integer padTokenId,
        boolean tieWordEmbeddings) {

    static LlamaSettings from(HfConfig config) {
        requireDefaultRope(config);
        int hidden = config.getInt("hidden_size", 4096);
        int heads = config.getInt("num_attention_heads", 32);
        int kvHeads = config.getInt("num_key_value_heads", heads);
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("config num_attention_heads " + heads
                    + " must be a positive multiple of num_key_value_heads " + kvHeads);
        }
        if (!config.has("head_dim") && hidden % heads != 0) {
            throw new IllegalArgumentException("config hidden_size " + hidden + " is not a multiple of num_attention_heads "
                    + heads + " and no head_dim is given");
        }
        int headDim = config.getInt("head_dim", hidden / heads);
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("config head_dim " + headDim + " must be even for rotary position embeddings");
        }
        String hiddenAct = config.getString("hidden_act", "silu");
        try {
            Activations.byName(hiddenAct);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("config hidden_act: " + e.getMessage(), e);
        }
        return new LlamaSettings(
                config.getInt("vocab_size", 32000),
                hidden,
                config.getInt("intermediate_size", 11008),
                config.getInt("num_hidden_layers", 32),
                heads,
                kvHeads,
                headDim,
                hiddenAct,
                config.getDouble("rms_norm_eps", 1e-6),
                config.ropeTheta(10000.0),
                config.getBoolean("attention_bias", false),
                config.getBoolean("mlp_bias", false),
                config.getDouble("attention_dropout", 0.0),
                config.has("pad_token_id") ? config.getInt("pad_token_id", 0) : null,
                config.getBoolean("tie_word_embeddings", false));
    }

    /** Query heads per key/value head (grouped-query attention; 1 for plain multi-head attention). */
    int groupSize() {
        return heads / keyValueHeads;
    }

    /**
     * Only the default RoPE (no scaling) is implemented: a scaled variant (linear, dynamic, yarn, llama3,
     * ...) or a partial rotary factor would silently change every output, so it is refused by name.
     */
    private static void requireDefaultRope(HfConfig config) {
        for (String field : new String[] {"rope_parameters", "rope_scaling"}) {
            JsonNode node = config.getNode(field);
            if (node == null) {
                continue;
            }
            if (!node.isObject()) {
                throw new IllegalArgumentException("config " + field + ": expected an object, got " + node);
            }
            String type = node.hasNonNull("rope_type") ? node.get("rope_type").asText()
                    : node.hasNonNull("type") ? node.get("type").asText() : "default";
            if (!"default".equals(type)) {
                throw new IllegalArgumentException("config " + field + " rope_type '" + type
                        + "' is not supported (only the default rotary embedding)");
            }
            if (node.hasNonNull("partial_rotary_factor") && node.get("partial_rotary_factor").asDouble() != 1.0) {
                throw new IllegalArgumentException("config " + field + " partial_rotary_factor "
                        + node.get("partial_rotary_factor") + " is not supported (only 1.0)");
            }
        }
    }
}
