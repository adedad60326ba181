package dev.anneal.worker.model.t5;

import ai.djl.ndarray.NDArray;
import dev.anneal.worker.model.layers.Dropout;
import dev.anneal.worker.model.layers.ModuleGroup;
import dev.anneal.worker.model.layers.NamedBlock;

/**
 * One T5 block, {@code layer.0} self-attention, ({@code layer.1} cross-attention in the decoder) and the
 * feed-forward layer, each pre-norm with a residual connection.
 */
final class T5Block extends NamedBlock {
    private final SelfAttentionLayer selfAttention;
    private final CrossAttentionLayer crossAttention;
    private final FeedForwardLayer feedForward;

    T5Block(T5Settings s, boolean decoder, boolean relativeAttentionBias) {
        ModuleGroup layers = module("layer", new ModuleGroup());
        selfAttention = layers.add("0", new SelfAttentionLayer(s, relativeAttentionBias, !decoder));
        crossAttention = decoder ? layers.add("1", new CrossAttentionLayer(s)) : null;
        feedForward = layers.add(decoder ? "2" : "1", new FeedForwardLayer(s));
    }

    T5Attention selfAttention() {
        return selfAttention.attention;
    }

    NDArray forward(NDArray hidden, NDArray selfBias, NDArray encoderHidden, NDArray crossBias, boolean training) {
        NDArray h = selfAttention.forward(hidden, selfBias, training);
        if (crossAttention != null) {
            h = crossAttention.forward(h, encoderHidden, crossBias, training);
        }
        return feedForward.forward(h, training);
    }

    /** {@code T5LayerSelfAttention}. */
    static final class SelfAttentionLayer extends NamedBlock {
        private final T5Attention attention;
        private final T5LayerNorm norm;
        private final double dropout;

        SelfAttentionLayer(T5Settings s, boolean relativeAttentionBias, boolean bidirectional) {
            attention = module("SelfAttention", new T5Attention(s, relativeAttentionBias, bidirectional));
            norm = module("layer_norm", new T5LayerNorm(s.dModel(), s.layerNormEps()));
            dropout = s.dropout();
        }

        NDArray forward(NDArray hidden, NDArray bias, boolean training) {
            NDArray attended = attention.forward(norm.forward(hidden), null, bias, training);
            return hidden.add(Dropout.apply(attended, dropout, training));
        }
    }

    /** {@code T5LayerCrossAttention}: attends to the encoder output; no relative bias of its own. */
    static final class CrossAttentionLayer extends NamedBlock {
        private final T5Attention attention;
        private final T5LayerNorm norm;
        private final double dropout;

        CrossAttentionLayer(T5Settings s) {
            attention = module("EncDecAttention", new T5Attention(s, false, true));
            norm = module("layer_norm", new T5LayerNorm(s.dModel(), s.layerNormEps()));
            dropout = s.dropout();
        }

        NDArray forward(NDArray hidden, NDArray encoderHidden, NDArray bias, boolean training) {
            NDArray attended = attention.forward(norm.forward(hidden), encoderHidden, bias, training);
            return hidden.add(Dropout.apply(attended, dropout, training));
        }
    }

    /** {@code T5LayerFF}. */
    static final class FeedForwardLayer extends NamedBlock {
        private final T5FeedForward dense;
        private final T5LayerNorm norm;
        private final double dropout;

        FeedForwardLayer(T5Settings s) {
            dense = module("DenseReluDense", new T5FeedForward(s));
            norm = module("layer_norm", new T5LayerNorm(s.dModel(), s.layerNormEps()));
            dropout = s.dropout();
        }

        NDArray forward(NDArray hidden, boolean training) {
            return hidden.add(Dropout.apply(dense.forward(norm.forward(hidden), training), dropout, training));
        }
    }
}
