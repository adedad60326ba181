package dev.anneal.worker.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.anneal.worker.model.layers.AttentionMasks;
import dev.anneal.worker.model.layers.Embedding;
import dev.anneal.worker.model.layers.Linear;
import dev.anneal.worker.model.layers.ModuleGroup;
import dev.anneal.worker.model.layers.NamedBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * transformers' {@code BertModel} (also the RoBERTa and ELECTRA backbones): embeddings, ELECTRA's
 * embeddings_project when embedding_size differs from hidden_size, encoder.layer.N, the optional pooler.
 */
final class BertBackbone extends NamedBlock {
    private final BertEmbeddings embeddings;
    private final Linear projection;
    private final List<BertLayer> layers = new ArrayList<>();
    private final Linear pooler;
    private final boolean causal;

    /** What the backbone returns: the last hidden state and the pooled [CLS] state (null without pooler). */
    record Output(NDArray lastHiddenState, NDArray pooled) {
    }

    BertBackbone(BertSettings s, boolean withPooler) {
        causal = s.isDecoder();
        embeddings = module("embeddings", new BertEmbeddings(s));
        projection = s.embeddingSize() != s.hiddenSize()
                ? module("embeddings_project", new Linear(s.embeddingSize(), s.hiddenSize(), true))
                : null;
        ModuleGroup layerList = module("encoder", new ModuleGroup()).add("layer", new ModuleGroup());
        for (int i = 0; i < s.layers(); i++) {
            layers.add(layerList.add(Integer.toString(i), new BertLayer(s)));
        }
        pooler = withPooler
                ? module("pooler", new ModuleGroup()).add("dense", new Linear(s.hiddenSize(), s.hiddenSize(), true))
                : null;
    }

    Embedding wordEmbeddings() {
        return embeddings.words();
    }

    Output forward(NDArray inputIds, NDArray attentionMask, NDArray tokenTypeIds, boolean training) {
        NDArray hidden = embeddings.forward(inputIds, tokenTypeIds, training);
        if (projection != null) {
            hidden = projection.forward(hidden);
        }
        NDArray bias = attentionMask == null ? null : AttentionMasks.paddingBias(attentionMask, hidden.getDataType());
        if (causal) {
            // is_decoder: each position sees itself and earlier positions only (BertLMHeadModel).
            bias = AttentionMasks.combine(bias, AttentionMasks.causalBias(inputIds.getManager(),
                    inputIds.getShape().get(1), hidden.getDataType()));
        }
        for (BertLayer layer : layers) {
            hidden = layer.forward(hidden, bias, training);
        }
        NDArray pooled = pooler == null ? null : pooler.forward(hidden.get(new NDIndex(":, 0"))).tanh();
        return new Output(hidden, pooled);
    }
}
