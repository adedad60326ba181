package dev.anneal.worker.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.anneal.worker.model.causal.CausalPositions;
import dev.anneal.worker.model.layers.AttentionMasks;
import dev.anneal.worker.model.layers.Embedding;
import dev.anneal.worker.model.layers.ModuleGroup;
import dev.anneal.worker.model.layers.NamedBlock;
import dev.anneal.worker.model.layers.RmsNorm;
import java.util.ArrayList;
import java.util.List;

/** transformers' {@code LlamaModel}: embed_tokens, layers.N, norm (the rotary embedding has no stored tensors). */
final class LlamaBackbone extends NamedBlock {
    private final Embedding embedTokens;
    private final List<LlamaDecoderLayer> layers = new ArrayList<>();
    private final RmsNorm norm;
    private final RotaryEmbedding rotary;

    LlamaBackbone(LlamaSettings s) {
        embedTokens = module("embed_tokens", new Embedding(s.vocabSize(), s.hiddenSize(),
                s.padTokenId() == null ? -1 : s.padTokenId()));
        ModuleGroup layerList = module("layers", new ModuleGroup());
        for (int i = 0; i < s.layers(); i++) {
            layers.add(layerList.add(Integer.toString(i), new LlamaDecoderLayer(s)));
        }
        norm = module("norm", new RmsNorm(s.hiddenSize(), s.rmsNormEps()));
        rotary = new RotaryEmbedding(s.headDim(), s.ropeTheta());
    }

    Embedding embedTokens() {
        return embedTokens;
    }

    /** ids [batch, seq]; attentionMask and positionIds (default 0..seq-1) may be null. Returns the normed last hidden state. */
    NDArray forward(NDArray ids, NDArray attentionMask, NDArray positionIds, boolean training) {
        long seq = ids.getShape().get(1);
        NDArray hidden = embedTokens.forward(ids);
        NDArray positions = positionIds != null ? positionIds : CausalPositions.sequential(ids.getManager(), seq);
        NDList cosSin = rotary.cosSin(positions, hidden.getDataType());
        NDArray bias = AttentionMasks.combine(
                attentionMask == null ? null : AttentionMasks.paddingBias(attentionMask, hidden.getDataType()),
                AttentionMasks.causalBias(ids.getManager(), seq, hidden.getDataType()));
        for (LlamaDecoderLayer layer : layers) {
            hidden = layer.forward(hidden, cosSin.get(0), cosSin.get(1), bias, training);
        }
        return norm.forward(hidden);
    }
}
