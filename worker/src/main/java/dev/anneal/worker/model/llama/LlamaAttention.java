package dev.anneal.worker.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.anneal.worker.model.layers.Dropout;
import dev.anneal.worker.model.layers.Linear;
import dev.anneal.worker.model.layers.NamedBlock;
import dev.anneal.worker.tensor.Scalars;

/**
 * Llama self-attention with grouped-query attention: num_key_value_heads key/value heads, each shared
 * by a group of consecutive query heads (transformers' {@code repeat_kv}); RoPE on queries and keys;
 * scores scaled by head_dim^-0.5 and softmaxed in float32.
 */
final class LlamaAttention extends NamedBlock {
    private final LlamaSettings settings;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear oProj;

    LlamaAttention(LlamaSettings s) {
        settings = s;
        long queryWidth = (long) s.heads() * s.headDim();
        long keyValueWidth = (long) s.keyValueHeads() * s.headDim();
        qProj = module("q_proj", new Linear(s.hiddenSize(), queryWidth, s.attentionBias()));
        kProj = module("k_proj", new Linear(s.hiddenSize(), keyValueWidth, s.attentionBias()));
        vProj = module("v_proj", new Linear(s.hiddenSize(), keyValueWidth, s.attentionBias()));
        oProj = module("o_proj", new Linear(queryWidth, s.hiddenSize(), s.attentionBias()));
    }

    /** x [batch, seq, hidden]; cos/sin [batch or 1, seq, head_dim]; bias [batch or 1, 1, seq, seq]. */
    NDArray forward(NDArray x, NDArray cos, NDArray sin, NDArray bias, boolean training) {
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        NDArray q = RotaryEmbedding.apply(splitHeads(qProj.forward(x), batch, seq, settings.heads()), cos, sin);
        NDArray k = RotaryEmbedding.apply(splitHeads(kProj.forward(x), batch, seq, settings.keyValueHeads()), cos, sin);
        NDArray v = splitHeads(vProj.forward(x), batch, seq, settings.keyValueHeads());
        k = repeatKeyValue(k, batch, seq);
        v = repeatKeyValue(v, batch, seq);
        float scaling = (float) Math.pow(settings.headDim(), -0.5);
        NDArray scores = Scalars.mul(q.matMul(k.transpose(0, 1, 3, 2)), scaling).add(bias);
        DataType type = scores.getDataType();
        NDArray probs = scores.toType(DataType.FLOAT32, false).softmax(-1).toType(type, false);
        probs = Dropout.apply(probs, settings.attentionDropout(), training);
        NDArray context = probs.matMul(v).transpose(0, 2, 1, 3).reshape(batch, seq, (long) settings.heads() * settings.headDim());
        return oProj.forward(context);
    }

    private NDArray splitHeads(NDArray x, long batch, long seq, int heads) {
        return x.reshape(batch, seq, heads, settings.headDim()).transpose(0, 2, 1, 3);
    }

    /** [batch, kv, seq, d] to [batch, kv * group, seq, d]: kv head j serves query heads j*group .. j*group+group-1. */
    private NDArray repeatKeyValue(NDArray x, long batch, long seq) {
        int group = settings.groupSize();
        if (group == 1) {
            return x;
        }
        long kv = settings.keyValueHeads();
        return x.expandDims(2).broadcast(new Shape(batch, kv, group, seq, settings.headDim()))
                .reshape(batch, kv * group, seq, settings.headDim());
    }
}
