package dev.anneal.worker.model.bart;

import ai.djl.ndarray.NDArray;
import dev.anneal.worker.model.layers.Dropout;
import dev.anneal.worker.model.layers.Linear;
import dev.anneal.worker.model.layers.NamedBlock;
import dev.anneal.worker.tensor.Scalars;

/** BART multi-head attention: k/v/q/out projections with biases, scores scaled by head_dim^-0.5. */
final class BartAttention extends NamedBlock {
    private final int heads;
    private final int headDim;
    private final double dropout;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear qProj;
    private final Linear outProj;

    BartAttention(int dModel, int heads, double dropout) {
        this.heads = heads;
        this.headDim = dModel / heads;
        this.dropout = dropout;
        kProj = module("k_proj", new Linear(dModel, dModel, true));
        vProj = module("v_proj", new Linear(dModel, dModel, true));
        qProj = module("q_proj", new Linear(dModel, dModel, true));
        outProj = module("out_proj", new Linear(dModel, dModel, true));
    }

    /**
     * hidden [batch, queries, d_model]; keyValue [batch, keys, d_model] for cross-attention or null for
     * self-attention; bias broadcastable to [batch, heads, queries, keys] or null.
     */
    NDArray forward(NDArray hidden, NDArray keyValue, NDArray bias, boolean training) {
        NDArray source = keyValue == null ? hidden : keyValue;
        NDArray query = splitHeads(qProj.forward(hidden));
        NDArray key = splitHeads(kProj.forward(source));
        NDArray value = splitHeads(vProj.forward(source));
        NDArray scores = Scalars.mul(query.matMul(key.transpose(0, 1, 3, 2)), Math.pow(headDim, -0.5));
        if (bias != null) {
            scores = scores.add(bias);
        }
        NDArray probs = Dropout.apply(scores.softmax(-1), dropout, training);
        NDArray context = probs.matMul(value).transpose(0, 2, 1, 3);
        return outProj.forward(context.reshape(hidden.getShape().get(0), hidden.getShape().get(1), (long) heads * headDim));
    }

    private NDArray splitHeads(NDArray x) {
        return x.reshape(x.getShape().get(0), x.getShape().get(1), heads, headDim).transpose(0, 2, 1, 3);
    }
}
