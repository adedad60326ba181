package dev.anneal.worker.model.gpt2;

import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.layers.Activations;

/**
 * The GPT2Config fields the GPT-2 blocks use, with transformers' defaults. GPT-2 configs spell sizes
 * {@code n_embd}, {@code n_layer}, {@code n_head}, {@code n_positions}; the generic names
 * ({@code hidden_size} ...) are transformers' aliases of them and are read when the GPT-2 name is absent.
 */
record Gpt2Settings(
        int vocabSize,
        int maxPositions,
        int hiddenSize,
        int layers,
        int heads,
        int innerSize,
        String activation,
        double residDropout,
        double embdDropout,
        double attnDropout,
        double layerNormEps,
        boolean scaleAttnWeights,
        boolean scaleAttnByInverseLayerIdx,
        Integer padTokenId,
        boolean tieWordEmbeddings) {

    static Gpt2Settings from(HfConfig config) {
        if (config.getBoolean("add_cross_attention", false)) {
            throw new IllegalArgumentException("config add_cross_attention=true (GPT-2 as an encoder-decoder decoder) is not supported");
        }
        int hidden = intOf(config, 768, "n_embd", "hidden_size");
        int heads = intOf(config, 12, "n_head", "num_attention_heads");
        Gpt2Settings s = new Gpt2Settings(
                config.getInt("vocab_size", 50257),
                intOf(config, 1024, "n_positions", "max_position_embeddings"),
                hidden,
                intOf(config, 12, "n_layer", "num_hidden_layers"),
                heads,
                config.getInt("n_inner", 4 * hidden),
                config.getString("activation_function", "gelu_new"),
                config.getDouble("resid_pdrop", 0.1),
                config.getDouble("embd_pdrop", 0.1),
                config.getDouble("attn_pdrop", 0.1),
                config.getDouble("layer_norm_epsilon", 1e-5),
                config.getBoolean("scale_attn_weights", true),
                config.getBoolean("scale_attn_by_inverse_layer_idx", false),
                config.has("pad_token_id") ? config.getInt("pad_token_id", 0) : null,
                config.getBoolean("tie_word_embeddings", true));
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("config n_embd " + hidden + " is not a multiple of n_head " + heads);
        }
        requireActivation("activation_function", s.activation());
        return s;
    }

    int headSize() {
        return hiddenSize / heads;
    }

    private static void requireActivation(String field, String name) {
        try {
            Activations.byName(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("config " + field + ": " + e.getMessage(), e);
        }
    }

    private static int intOf(HfConfig config, int defaultValue, String name, String alias) {
        return config.has(name) ? config.getInt(name, defaultValue) : config.getInt(alias, defaultValue);
    }
}
