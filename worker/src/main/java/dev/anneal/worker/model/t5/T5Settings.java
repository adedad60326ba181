package dev.anneal.worker.model.t5;

import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.seq2seq.ConfigIds;

/** The T5Config fields the T5 blocks use, with transformers' defaults. */
record T5Settings(
        int vocabSize,
        int dModel,
        int dKv,
        int dFf,
        int encoderLayers,
        int decoderLayers,
        int heads,
        int relativeBuckets,
        int relativeMaxDistance,
        double dropout,
        double layerNormEps,
        double initializerFactor,
        String activation,
        boolean gated,
        boolean tieWordEmbeddings,
        boolean scaleDecoderOutputs,
        long padTokenId,
        long eosTokenId,
        long decoderStartTokenId) {

    static T5Settings from(HfConfig config) {
        String proj = config.getString("feed_forward_proj", "relu");
        String[] parts = proj.split("-");
        boolean gated = parts.length == 2 && parts[0].equals("gated");
        if (parts.length > 2 || (parts.length == 2 && !gated) || proj.isBlank()) {
            throw new IllegalArgumentException("config feed_forward_proj '" + proj
                    + "' is not valid: use an activation ('relu') or 'gated-' plus one ('gated-gelu')");
        }
        // transformers maps gated-gelu to the tanh approximation (gelu_new), as the original T5 v1.1 did.
        String activation = proj.equals("gated-gelu") ? "gelu_new" : parts[parts.length - 1];
        int layers = config.getInt("num_layers", 6);
        boolean tie = config.getBoolean("tie_word_embeddings", true);
        long pad = config.getLong("pad_token_id", 0);
        T5Settings s = new T5Settings(
                config.getInt("vocab_size", 32128),
                config.getInt("d_model", 512),
                config.getInt("d_kv", 64),
                config.getInt("d_ff", 2048),
                layers,
                config.getInt("num_decoder_layers", layers),
                config.getInt("num_heads", 8),
                config.getInt("relative_attention_num_buckets", 32),
                config.getInt("relative_attention_max_distance", 128),
                config.getDouble("dropout_rate", 0.1),
                config.getDouble("layer_norm_epsilon", 1e-6),
                config.getDouble("initializer_factor", 1.0),
                activation,
                gated,
                tie,
                config.getBoolean("scale_decoder_outputs", tie),
                pad,
                ConfigIds.first(config, "eos_token_id", 1),
                config.getLong("decoder_start_token_id", pad));
        if (s.vocabSize <= 0 || s.dModel <= 0 || s.dKv <= 0 || s.heads <= 0 || s.dFf <= 0) {
            throw new IllegalArgumentException("config vocab_size, d_model, d_kv, d_ff and num_heads must be positive");
        }
        return s;
    }

    int innerDim() {
        return heads * dKv;
    }
}
