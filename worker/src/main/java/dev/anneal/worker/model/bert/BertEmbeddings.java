package dev.anneal.worker.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.anneal.worker.model.layers.Dropout;
import dev.anneal.worker.model.layers.Embedding;
import dev.anneal.worker.model.layers.LayerNorm;
import dev.anneal.worker.model.layers.NamedBlock;

/** Word + absolute position + token type embeddings, LayerNorm, dropout. */
final class BertEmbeddings extends NamedBlock {
    private final BertSettings settings;
    private final Embedding words;
    private final Embedding positions;
    private final Embedding tokenTypes;
    private final LayerNorm norm;

    BertEmbeddings(BertSettings s) {
        this.settings = s;
        words = module("word_embeddings", new Embedding(s.vocabSize(), s.hiddenSize(), s.padTokenId()));
        positions = module("position_embeddings", new Embedding(s.maxPositions(), s.hiddenSize(), -1));
        tokenTypes = module("token_type_embeddings", new Embedding(s.typeVocabSize(), s.hiddenSize(), -1));
        norm = module("LayerNorm", new LayerNorm(s.hiddenSize(), s.layerNormEps()));
    }

    Embedding words() {
        return words;
    }

    /** ids [batch, seq]; tokenTypeIds may be null (all zeros, as transformers' buffer). */
    NDArray forward(NDArray ids, NDArray tokenTypeIds, boolean training) {
        long seq = ids.getShape().get(1);
        if (seq > settings.maxPositions()) {
            throw new IllegalArgumentException("input length " + seq + " exceeds max_position_embeddings "
                    + settings.maxPositions());
        }
        NDManager manager = ids.getManager();
        NDArray positionIds = manager.arange(0, (int) seq, 1, DataType.INT64).expandDims(0);
        NDArray types = tokenTypeIds != null ? tokenTypeIds : manager.zeros(ids.getShape(), DataType.INT64);
        NDArray sum = words.forward(ids).add(tokenTypes.forward(types)).add(positions.forward(positionIds));
        return Dropout.apply(norm.forward(sum), settings.hiddenDropout(), training);
    }
}
