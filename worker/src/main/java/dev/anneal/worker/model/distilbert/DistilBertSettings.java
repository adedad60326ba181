package dev.anneal.worker.model.distilbert;

import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.layers.Activations;

/** The DistilBertConfig fields the blocks use, with its defaults (its LayerNorm eps is fixed at 1e-12). */
record DistilBertSettings(
        int vocabSize,
        int dim,
        int layers,
        int heads,
        int hiddenDim,
        String activation,
        double dropout,
        double attentionDropout,
        double qaDropout,
        double classifierDropout,
        int maxPositions,
        int padTokenId,
        boolean tieWordEmbeddings) {
    static final double LAYER_NORM_EPS = 1e-12;

    static DistilBertSettings from(HfConfig config) {
        DistilBertSettings s = new DistilBertSettings(
                config.getInt("vocab_size", 30522),
                config.getInt("dim", 768),
                config.getInt("n_layers", 6),
                config.getInt("n_heads", 12),
                config.getInt("hidden_dim", 3072),
                config.getString("activation", "gelu"),
                config.getDouble("dropout", 0.1),
                config.getDouble("attention_dropout", 0.1),
                config.getDouble("qa_dropout", 0.1),
                config.getDouble("seq_classif_dropout", 0.2),
                config.getInt("max_position_embeddings", 512),
                config.getInt("pad_token_id", 0),
                config.getBoolean("tie_word_embeddings", true));
        Activations.byName(s.activation);
        if (s.dim % s.heads != 0) {
            throw new IllegalArgumentException("config dim " + s.dim + " is not a multiple of n_heads " + s.heads);
        }
        return s;
    }
}
