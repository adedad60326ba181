package dev.anneal.worker.model.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import dev.anneal.worker.model.layers.Dropout;
import dev.anneal.worker.model.layers.ModuleGroup;
import dev.anneal.worker.model.layers.NamedBlock;
import dev.anneal.worker.model.layers.TiedEmbedding;
import dev.anneal.worker.model.seq2seq.Seq2SeqMasks;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code T5Stack}: the encoder or the decoder. Embeddings come from the shared table; only block 0 owns
 * a relative_attention_bias, and the bias it computes (plus the attention mask) is used by every block.
 */
final class T5Stack extends NamedBlock {
    private final boolean decoder;
    private final double dropout;
    private final TiedEmbedding embedTokens;
    private final List<T5Block> blocks = new ArrayList<>();
    private final T5LayerNorm finalNorm;

    T5Stack(T5Settings s, Parameter shared, boolean decoder) {
        this.decoder = decoder;
        this.dropout = s.dropout();
        embedTokens = module("embed_tokens", new TiedEmbedding(shared, -1));
        ModuleGroup blockList = module("block", new ModuleGroup());
        int count = decoder ? s.decoderLayers() : s.encoderLayers();
        for (int i = 0; i < count; i++) {
            blocks.add(blockList.add(Integer.toString(i), new T5Block(s, decoder, i == 0)));
        }
        finalNorm = module("final_layer_norm", new T5LayerNorm(s.dModel(), s.layerNormEps()));
    }

    /**
     * ids [batch, length]; mask [batch, length] or null; for the decoder, the encoder output and its mask.
     * Returns the final hidden state [batch, length, d_model].
     */
    NDArray forward(NDArray ids, NDArray mask, NDArray encoderHidden, NDArray encoderMask, boolean training) {
        NDArray hidden = Dropout.apply(embedTokens.forward(ids), dropout, training);
        int length = (int) ids.getShape().get(1);
        NDArray selfBias = blocks.isEmpty() ? null : blocks.get(0).selfAttention().positionBias(hidden, length, length);
        NDArray maskBias = decoder
                ? Seq2SeqMasks.causal(length, mask, hidden.getManager(), hidden.getDataType())
                : Seq2SeqMasks.padding(mask, hidden.getDataType());
        if (maskBias != null) {
            selfBias = selfBias == null ? maskBias : selfBias.add(maskBias);
        }
        NDArray crossBias = decoder ? Seq2SeqMasks.padding(encoderMask, hidden.getDataType()) : null;
        for (T5Block block : blocks) {
            hidden = block.forward(hidden, selfBias, encoderHidden, crossBias, training);
        }
        return Dropout.apply(finalNorm.forward(hidden), dropout, training);
    }
}
