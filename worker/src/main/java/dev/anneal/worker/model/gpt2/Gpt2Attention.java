package dev.anneal.worker.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.anneal.worker.model.layers.Conv1D;
import dev.anneal.worker.model.layers.Dropout;
import dev.anneal.worker.model.layers.NamedBlock;
import dev.anneal.worker.tensor.Scalars;

/** GPT-2 causal self-attention: one fused projection c_attn to query, key and value, then c_proj. */
final class Gpt2Attention extends NamedBlock {
    private final Gpt2Settings settings;
    private final int layerIndex;
    private final Conv1D cAttn;
    private final Conv1D cProj;

    Gpt2Attention(Gpt2Settings s, int layerIndex) {
        this.settings = s;
        this.layerIndex = layerIndex;
        cAttn = module("c_attn", new Conv1D(s.hiddenSize(), 3L * s.hiddenSize()));
        cProj = module("c_proj", new Conv1D(s.hiddenSize(), s.hiddenSize()));
    }

    /** x [batch, seq, hidden]; bias [batch or 1, 1, seq, seq] (causal and padding). */
    NDArray forward(NDArray x, NDArray bias, boolean training) {
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        NDList qkv = cAttn.forward(x).split(3, 2);
        NDArray q = splitHeads(qkv.get(0), batch, seq);
        NDArray k = splitHeads(qkv.get(1), batch, seq);
        NDArray v = splitHeads(qkv.get(2), batch, seq);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2));
        if (settings.scaleAttnWeights()) {
            scores = Scalars.div(scores, Math.sqrt(settings.headSize()));
        }
        if (settings.scaleAttnByInverseLayerIdx()) {
            scores = Scalars.div(scores, layerIndex + 1);
        }
        NDArray probs = Dropout.apply(scores.add(bias).softmax(-1), settings.attnDropout(), training);
        NDArray context = probs.matMul(v).transpose(0, 2, 1, 3).reshape(batch, seq, settings.hiddenSize());
        return Dropout.apply(cProj.forward(context), settings.residDropout(), training);
    }

    private NDArray splitHeads(NDArray x, long batch, long seq) {
        return x.reshape(batch, seq, settings.heads(), settings.headSize()).transpose(0, 2, 1, 3);
    }
}
