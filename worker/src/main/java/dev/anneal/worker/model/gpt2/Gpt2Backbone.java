package dev.anneal.worker.model.gpt2;

import ai.djl.ndarray.NDArray;
import dev.anneal.worker.model.causal.CausalPositions;
import dev.anneal.worker.model.layers.AttentionMasks;
import dev.anneal.worker.model.layers.Dropout;
import dev.anneal.worker.model.layers.Embedding;
import dev.anneal.worker.model.layers.LayerNorm;
import dev.anneal.worker.model.layers.ModuleGroup;
import dev.anneal.worker.model.layers.NamedBlock;
import java.util.ArrayList;
import java.util.List;

/** transformers' {@code GPT2Model}: wte, wpe, h.N blocks, ln_f. */
final class Gpt2Backbone extends NamedBlock {
    private final Gpt2Settings settings;
    private final Embedding wte;
    private final Embedding wpe;
    private final List<Gpt2Block> blocks = new ArrayList<>();
    private final LayerNorm lnF;

    Gpt2Backbone(Gpt2Settings s) {
        settings = s;
        wte = module("wte", new Embedding(s.vocabSize(), s.hiddenSize(), -1));
        wpe = module("wpe", new Embedding(s.maxPositions(), s.hiddenSize(), -1));
        ModuleGroup h = module("h", new ModuleGroup());
        for (int i = 0; i < s.layers(); i++) {
            blocks.add(h.add(Integer.toString(i), new Gpt2Block(s, i)));
        }
        lnF = module("ln_f", new LayerNorm(s.hiddenSize(), s.layerNormEps()));
    }

    Embedding wordEmbeddings() {
        return wte;
    }

    /**
     * ids [batch, seq]; attentionMask, positionIds (default 0..seq-1) and tokenTypeIds (looked up in wte
     * and added, as GPT2Model does) may be null. Returns the last hidden state after ln_f.
     */
    NDArray forward(NDArray ids, NDArray attentionMask, NDArray positionIds, NDArray tokenTypeIds, boolean training) {
        long seq = ids.getShape().get(1);
        if (seq > settings.maxPositions()) {
            throw new IllegalArgumentException("input length " + seq + " exceeds n_positions " + settings.maxPositions());
        }
        NDArray positions = positionIds != null ? positionIds : CausalPositions.sequential(ids.getManager(), seq);
        NDArray hidden = wte.forward(ids).add(wpe.forward(positions));
        if (tokenTypeIds != null) {
            hidden = hidden.add(wte.forward(tokenTypeIds));
        }
        hidden = Dropout.apply(hidden, settings.embdDropout(), training);
        NDArray bias = AttentionMasks.combine(
                attentionMask == null ? null : AttentionMasks.paddingBias(attentionMask, hidden.getDataType()),
                AttentionMasks.causalBias(ids.getManager(), seq, hidden.getDataType()));
        for (Gpt2Block block : blocks) {
            hidden = block.forward(hidden, bias, training);
        }
        return lnF.forward(hidden);
    }
}
