package dev.anneal.worker.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.anneal.worker.model.layers.Dropout;
import dev.anneal.worker.model.layers.Embedding;
import dev.anneal.worker.model.layers.LayerNorm;
import dev.anneal.worker.model.layers.NamedBlock;

/**
 * Word + absolute position + token type embeddings, LayerNorm, dropout. RoBERTa numbers positions from
 * padding_idx + 1 over real tokens (padding keeps position padding_idx) and registers its position table
 * last, as transformers does.
 */
final class BertEmbeddings extends NamedBlock {
    private final BertSettings settings;
    private final Embedding words;
    private final Embedding positions;
    private final Embedding tokenTypes;
    private final LayerNorm norm;

    BertEmbeddings(BertSettings s) {
        this.settings = s;
        int width = s.embeddingSize();
        words = module("word_embeddings", new Embedding(s.vocabSize(), width, s.padTokenId()));
        if (s.positionsFromPadding()) {
            tokenTypes = module("token_type_embeddings", new Embedding(s.typeVocabSize(), width, -1));
            norm = module("LayerNorm", new LayerNorm(width, s.layerNormEps()));
            positions = module("position_embeddings", new Embedding(s.maxPositions(), width, s.padTokenId()));
        } else {
            positions = module("position_embeddings", new Embedding(s.maxPositions(), width, -1));
            tokenTypes = module("token_type_embeddings", new Embedding(s.typeVocabSize(), width, -1));
            norm = module("LayerNorm", new LayerNorm(width, s.layerNormEps()));
        }
    }

    Embedding words() {
        return words;
    }

    /** ids [batch, seq]; tokenTypeIds may be null (all zeros, as transformers' buffer). */
    NDArray forward(NDArray ids, NDArray tokenTypeIds, boolean training) {
        NDArray positionIds = positionIds(ids);
        long seq = ids.getShape().get(1);
        long bound = settings.positionsFromPadding() ? settings.padTokenId() + seq : seq - 1;
        // Only read the ids back (a device sync) when the cheap bound does not already rule out overflow.
        long last = bound < settings.maxPositions() ? bound : positionIds.max().getLong();
        if (last >= settings.maxPositions()) {
            throw new IllegalArgumentException("input of length " + seq + " needs position " + last
                    + ", beyond max_position_embeddings " + settings.maxPositions());
        }
        NDArray types = tokenTypeIds != null ? tokenTypeIds : ids.getManager().zeros(ids.getShape(), DataType.INT64);
        NDArray sum = words.forward(ids).add(tokenTypes.forward(types)).add(positions.forward(positionIds));
        return Dropout.apply(norm.forward(sum), settings.hiddenDropout(), training);
    }

    private NDArray positionIds(NDArray ids) {
        NDManager manager = ids.getManager();
        long seq = ids.getShape().get(1);
        if (!settings.positionsFromPadding()) {
            return manager.arange(0, (int) seq, 1, DataType.INT64).expandDims(0);
        }
        NDArray real = ids.neq(settings.padTokenId()).toType(DataType.INT64, false);
        return real.cumSum(1).mul(real).add(settings.padTokenId());
    }
}
