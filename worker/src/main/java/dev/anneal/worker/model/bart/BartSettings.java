package dev.anneal.worker.model.bart;

import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.seq2seq.ConfigIds;

/** The BartConfig fields the BART blocks use, with transformers' defaults. */
record BartSettings(
        int vocabSize,
        int dModel,
        int maxPositions,
        int encoderLayers,
        int encoderFfn,
        int encoderHeads,
        int decoderLayers,
        int decoderFfn,
        int decoderHeads,
        double encoderLayerdrop,
        double decoderLayerdrop,
        String activation,
        double dropout,
        double attentionDropout,
        double activationDropout,
        double initStd,
        boolean scaleEmbedding,
        boolean tieWordEmbeddings,
        long padTokenId,
        long eosTokenId,
        long decoderStartTokenId) {
    /** BART's learned positions start at 2 (a fairseq leftover): position p uses row p + 2. */
    static final int POSITION_OFFSET = 2;
    /** nn.LayerNorm's default epsilon, which BART uses everywhere. */
    static final double LAYER_NORM_EPS = 1e-5;

    static BartSettings from(HfConfig config) {
        if (config.getBoolean("add_final_layer_norm", false) || config.getBoolean("normalize_before", false)) {
            throw new IllegalArgumentException("config add_final_layer_norm / normalize_before (mBART-style pre-norm) is not"
                    + " supported by the BART family");
        }
        BartSettings s = new BartSettings(
                config.getInt("vocab_size", 50265),
                config.getInt("d_model", 1024),
                config.getInt("max_position_embeddings", 1024),
                config.getInt("encoder_layers", 12),
                config.getInt("encoder_ffn_dim", 4096),
                config.getInt("encoder_attention_heads", 16),
                config.getInt("decoder_layers", 12),
                config.getInt("decoder_ffn_dim", 4096),
                config.getInt("decoder_attention_heads", 16),
                config.getDouble("encoder_layerdrop", 0.0),
                config.getDouble("decoder_layerdrop", 0.0),
                config.getString("activation_function", "gelu"),
                config.getDouble("dropout", 0.1),
                config.getDouble("attention_dropout", 0.0),
                config.getDouble("activation_dropout", 0.0),
                config.getDouble("init_std", 0.02),
                config.getBoolean("scale_embedding", false),
                config.getBoolean("tie_word_embeddings", true),
                config.getLong("pad_token_id", 1),
                ConfigIds.first(config, "eos_token_id", 2),
                config.getLong("decoder_start_token_id", 2));
        if (s.dModel % s.encoderHeads != 0 || s.dModel % s.decoderHeads != 0) {
            throw new IllegalArgumentException("config d_model " + s.dModel + " is not a multiple of encoder_attention_heads "
                    + s.encoderHeads + " and decoder_attention_heads " + s.decoderHeads);
        }
        return s;
    }

    /** sqrt(d_model) when scale_embedding, else 1. */
    float embedScale() {
        return scaleEmbedding ? (float) Math.sqrt(dModel) : 1f;
    }
}
