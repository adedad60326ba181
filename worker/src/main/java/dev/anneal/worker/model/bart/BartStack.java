package dev.anneal.worker.model.bart;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.anneal.worker.model.layers.Dropout;
import dev.anneal.worker.model.layers.Embedding;
import dev.anneal.worker.model.layers.LayerNorm;
import dev.anneal.worker.model.layers.ModuleGroup;
import dev.anneal.worker.model.layers.NamedBlock;
import dev.anneal.worker.model.layers.TiedEmbedding;
import dev.anneal.worker.model.seq2seq.Seq2SeqMasks;
import dev.anneal.worker.tensor.Scalars;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code BartEncoder} or {@code BartDecoder}: shared token embeddings (optionally scaled by sqrt(d_model))
 * plus learned positions offset by 2, layernorm_embedding, then the layers (with layerdrop in training).
 */
final class BartStack extends NamedBlock {
    private final boolean decoder;
    private final float embedScale;
    private final double dropout;
    private final double layerdrop;
    private final TiedEmbedding embedTokens;
    private final Embedding embedPositions;
    private final List<BartLayer> layers = new ArrayList<>();
    private final LayerNorm layernormEmbedding;

    BartStack(BartSettings s, Parameter shared, boolean decoder) {
        this.decoder = decoder;
        embedScale = s.embedScale();
        dropout = s.dropout();
        layerdrop = decoder ? s.decoderLayerdrop() : s.encoderLayerdrop();
        embedTokens = module("embed_tokens", new TiedEmbedding(shared, s.padTokenId()));
        embedPositions = module("embed_positions",
                new Embedding(s.maxPositions() + BartSettings.POSITION_OFFSET, s.dModel(), -1));
        ModuleGroup layerList = module("layers", new ModuleGroup());
        int count = decoder ? s.decoderLayers() : s.encoderLayers();
        for (int i = 0; i < count; i++) {
            layers.add(layerList.add(Integer.toString(i), new BartLayer(s, decoder)));
        }
        layernormEmbedding = module("layernorm_embedding", new LayerNorm(s.dModel(), BartSettings.LAYER_NORM_EPS));
    }

    NDArray forward(NDArray ids, NDArray mask, NDArray encoderHidden, NDArray encoderMask, boolean training) {
        long length = ids.getShape().get(1);
        long maxLength = embedPositions.count() - BartSettings.POSITION_OFFSET;
        if (length > maxLength) {
            throw new IllegalArgumentException("sequence of " + length + " tokens is longer than max_position_embeddings "
                    + maxLength);
        }
        NDArray tokens = embedTokens.forward(ids);
        if (embedScale != 1f) {
            tokens = Scalars.mul(tokens, embedScale);
        }
        NDArray positions = ids.getManager().arange(BartSettings.POSITION_OFFSET, length + BartSettings.POSITION_OFFSET, 1,
                ai.djl.ndarray.types.DataType.INT64).reshape(new Shape(length));
        NDArray hidden = layernormEmbedding.forward(tokens.add(embedPositions.forward(positions)));
        hidden = Dropout.apply(hidden, dropout, training);
        NDArray selfBias = decoder
                ? Seq2SeqMasks.causal(length, mask, hidden.getManager(), hidden.getDataType())
                : Seq2SeqMasks.padding(mask, hidden.getDataType());
        NDArray crossBias = decoder ? Seq2SeqMasks.padding(encoderMask, hidden.getDataType()) : null;
        for (BartLayer layer : layers) {
            if (training && layerdrop > 0 && ThreadLocalRandom.current().nextDouble() < layerdrop) {
                continue;
            }
            hidden = layer.forward(hidden, selfBias, encoderHidden, crossBias, training);
        }
        return hidden;
    }
}
