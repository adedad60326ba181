package dev.anneal.worker.model.bart;

import ai.djl.ndarray.NDArray;
import dev.anneal.worker.model.layers.Activations;
import dev.anneal.worker.model.layers.Dropout;
import dev.anneal.worker.model.layers.LayerNorm;
import dev.anneal.worker.model.layers.Linear;
import dev.anneal.worker.model.layers.NamedBlock;
import java.util.function.UnaryOperator;

/**
 * A BART encoder or decoder layer, post-norm: each sub-layer's output is added to its input and then
 * layer-normalised (self-attention, in the decoder cross-attention, then fc1/act/fc2).
 */
final class BartLayer extends NamedBlock {
    private final BartAttention selfAttention;
    private final LayerNorm selfAttentionNorm;
    private final BartAttention encoderAttention;
    private final LayerNorm encoderAttentionNorm;
    private final Linear fc1;
    private final Linear fc2;
    private final LayerNorm finalNorm;
    private final UnaryOperator<NDArray> activation;
    private final double dropout;
    private final double activationDropout;

    BartLayer(BartSettings s, boolean decoder) {
        int heads = decoder ? s.decoderHeads() : s.encoderHeads();
        int ffn = decoder ? s.decoderFfn() : s.encoderFfn();
        selfAttention = module("self_attn", new BartAttention(s.dModel(), heads, s.attentionDropout()));
        selfAttentionNorm = module("self_attn_layer_norm", new LayerNorm(s.dModel(), BartSettings.LAYER_NORM_EPS));
        if (decoder) {
            encoderAttention = module("encoder_attn", new BartAttention(s.dModel(), heads, s.attentionDropout()));
            encoderAttentionNorm = module("encoder_attn_layer_norm", new LayerNorm(s.dModel(), BartSettings.LAYER_NORM_EPS));
        } else {
            encoderAttention = null;
            encoderAttentionNorm = null;
        }
        fc1 = module("fc1", new Linear(s.dModel(), ffn, true));
        fc2 = module("fc2", new Linear(ffn, s.dModel(), true));
        finalNorm = module("final_layer_norm", new LayerNorm(s.dModel(), BartSettings.LAYER_NORM_EPS));
        activation = Activations.byName(s.activation());
        dropout = s.dropout();
        activationDropout = s.activationDropout();
    }

    NDArray forward(NDArray hidden, NDArray selfBias, NDArray encoderHidden, NDArray crossBias, boolean training) {
        NDArray attended = selfAttention.forward(hidden, null, selfBias, training);
        NDArray h = selfAttentionNorm.forward(hidden.add(Dropout.apply(attended, dropout, training)));
        if (encoderAttention != null) {
            NDArray crossed = encoderAttention.forward(h, encoderHidden, crossBias, training);
            h = encoderAttentionNorm.forward(h.add(Dropout.apply(crossed, dropout, training)));
        }
        NDArray inner = Dropout.apply(activation.apply(fc1.forward(h)), activationDropout, training);
        NDArray out = Dropout.apply(fc2.forward(inner), dropout, training);
        return finalNorm.forward(h.add(out));
    }
}
