package dev.anneal.worker.model.bert;

import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.layers.Activations;

/** The BertConfig fields the BERT blocks use, with transformers' defaults. */
record BertSettings(
        int vocabSize,
        int hiddenSize,
        int layers,
        int heads,
        int intermediateSize,
        String hiddenAct,
        double hiddenDropout,
        double attentionDropout,
        int maxPositions,
        int typeVocabSize,
        double layerNormEps,
        int padTokenId,
        Double classifierDropout,
        boolean tieWordEmbeddings,
        boolean isDecoder) {

    static BertSettings from(HfConfig config) {
        String positions = config.getString("position_embedding_type", "absolute");
        if (!"absolute".equals(positions)) {
            throw new IllegalArgumentException("config position_embedding_type '" + positions
                    + "' is not supported (only absolute)");
        }
        BertSettings s = new BertSettings(
                config.getInt("vocab_size", 30522),
                config.getInt("hidden_size", 768),
                config.getInt("num_hidden_layers", 12),
                config.getInt("num_attention_heads", 12),
                config.getInt("intermediate_size", 3072),
                config.getString("hidden_act", "gelu"),
                config.getDouble("hidden_dropout_prob", 0.1),
                config.getDouble("attention_probs_dropout_prob", 0.1),
                config.getInt("max_position_embeddings", 512),
                config.getInt("type_vocab_size", 2),
                config.getDouble("layer_norm_eps", 1e-12),
                config.getInt("pad_token_id", 0),
                config.has("classifier_dropout") ? config.getDouble("classifier_dropout", 0.1) : null,
                config.getBoolean("tie_word_embeddings", true),
                config.getBoolean("is_decoder", false));
        if (config.getBoolean("add_cross_attention", false)) {
            throw new IllegalArgumentException("config add_cross_attention=true (BERT as a seq2seq decoder) is not supported");
        }
        Activations.byName(s.hiddenAct);
        if (s.hiddenSize % s.heads != 0) {
            throw new IllegalArgumentException("config hidden_size " + s.hiddenSize
                    + " is not a multiple of num_attention_heads " + s.heads);
        }
        return s;
    }

    /** Dropout before classification heads: classifier_dropout, else hidden_dropout_prob. */
    double headDropout() {
        return classifierDropout != null ? classifierDropout : hiddenDropout;
    }
}
