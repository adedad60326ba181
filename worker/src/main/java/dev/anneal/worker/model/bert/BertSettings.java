package dev.anneal.worker.model.bert;

import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.layers.Activations;

/**
 * The config fields the BERT-style encoders (BERT, RoBERTa, ELECTRA) use, with each config class's
 * defaults.
 *
 * @param embeddingSize width of the embeddings; ELECTRA projects them to hiddenSize when they differ
 * @param positionsFromPadding RoBERTa: position ids count real tokens from padding_idx + 1
 */
record BertSettings(
        int vocabSize,
        int embeddingSize,
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
        boolean isDecoder,
        boolean positionsFromPadding) {

    /** BertConfig defaults. */
    static BertSettings bert(HfConfig config) {
        return read(config, 30522, 768, null, 12, 3072, 512, 2, 1e-12, 0, false);
    }

    /** RobertaConfig defaults; position ids start after padding_idx. */
    static BertSettings roberta(HfConfig config) {
        return read(config, 50265, 768, null, 12, 3072, 512, 2, 1e-12, 1, true);
    }

    /** ElectraConfig defaults (the small discriminator), with its separate embedding_size. */
    static BertSettings electra(HfConfig config) {
        return read(config, 30522, 256, 128, 4, 1024, 512, 2, 1e-12, 0, false);
    }

    private static BertSettings read(HfConfig config, int vocab, int hidden, Integer embedding, int heads,
            int intermediate, int maxPositions, int typeVocab, double eps, int pad, boolean positionsFromPadding) {
        String positions = config.getString("position_embedding_type", "absolute");
        if (!"absolute".equals(positions)) {
            throw new IllegalArgumentException("config position_embedding_type '" + positions
                    + "' is not supported (only absolute)");
        }
        if (config.getBoolean("add_cross_attention", false)) {
            throw new IllegalArgumentException("config add_cross_attention=true (an encoder as a seq2seq decoder) is not supported");
        }
        int hiddenSize = config.getInt("hidden_size", hidden);
        BertSettings s = new BertSettings(
                config.getInt("vocab_size", vocab),
                embedding == null ? hiddenSize : config.getInt("embedding_size", embedding),
                hiddenSize,
                config.getInt("num_hidden_layers", 12),
                config.getInt("num_attention_heads", heads),
                config.getInt("intermediate_size", intermediate),
                config.getString("hidden_act", "gelu"),
                config.getDouble("hidden_dropout_prob", 0.1),
                config.getDouble("attention_probs_dropout_prob", 0.1),
                config.getInt("max_position_embeddings", maxPositions),
                config.getInt("type_vocab_size", typeVocab),
                config.getDouble("layer_norm_eps", eps),
                config.getInt("pad_token_id", pad),
                config.has("classifier_dropout") ? config.getDouble("classifier_dropout", 0.1) : null,
                config.getBoolean("tie_word_embeddings", true),
                config.getBoolean("is_decoder", false),
                positionsFromPadding);
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
