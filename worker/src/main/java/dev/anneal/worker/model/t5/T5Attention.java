package dev.anneal.worker.model.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.anneal.worker.model.layers.Dropout;
import dev.anneal.worker.model.layers.Embedding;
import dev.anneal.worker.model.layers.Linear;
import dev.anneal.worker.model.layers.NamedBlock;

/**
 * T5 attention: bias-free q/k/v/o projections, no 1/sqrt(d) scaling, and an additive position bias that
 * the first block of each stack computes from its relative_attention_bias table and shares with the rest.
 */
final class T5Attention extends NamedBlock {
    private final int heads;
    private final int dKv;
    private final double dropout;
    private final boolean bidirectional;
    private final int buckets;
    private final int maxDistance;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear o;
    private final Embedding relativeBias;

    T5Attention(T5Settings s, boolean relativeAttentionBias, boolean bidirectional) {
        heads = s.heads();
        dKv = s.dKv();
        dropout = s.dropout();
        this.bidirectional = bidirectional;
        buckets = s.relativeBuckets();
        maxDistance = s.relativeMaxDistance();
        q = module("q", new Linear(s.dModel(), s.innerDim(), false));
        k = module("k", new Linear(s.dModel(), s.innerDim(), false));
        v = module("v", new Linear(s.dModel(), s.innerDim(), false));
        o = module("o", new Linear(s.innerDim(), s.dModel(), false));
        relativeBias = relativeAttentionBias
                ? module("relative_attention_bias", new Embedding(s.relativeBuckets(), s.heads(), -1))
                : null;
    }

    /** The learned position bias [1, heads, queries, keys]. */
    NDArray positionBias(NDArray like, int queries, int keys) {
        if (relativeBias == null) {
            throw new IllegalStateException("this attention layer has no relative_attention_bias");
        }
        long[] ids = RelativePositionBuckets.matrix(queries, keys, bidirectional, buckets, maxDistance);
        NDArray index = like.getManager().create(ids, new Shape(queries, keys));
        return relativeBias.forward(index).transpose(2, 0, 1).expandDims(0);
    }

    /**
     * hidden [batch, queries, d_model]; keyValue [batch, keys, d_model] for cross-attention or null for
     * self-attention; bias broadcastable to [batch, heads, queries, keys] or null.
     */
    NDArray forward(NDArray hidden, NDArray keyValue, NDArray bias, boolean training) {
        NDArray source = keyValue == null ? hidden : keyValue;
        NDArray query = splitHeads(q.forward(hidden));
        NDArray key = splitHeads(k.forward(source));
        NDArray value = splitHeads(v.forward(source));
        NDArray scores = query.matMul(key.transpose(0, 1, 3, 2));
        if (bias != null) {
            scores = scores.add(bias);
        }
        NDArray probs = Dropout.apply(scores.softmax(-1), dropout, training);
        NDArray context = probs.matMul(value).transpose(0, 2, 1, 3);
        long batch = hidden.getShape().get(0);
        long length = hidden.getShape().get(1);
        return o.forward(context.reshape(batch, length, (long) heads * dKv));
    }

    private NDArray splitHeads(NDArray x) {
        return x.reshape(x.getShape().get(0), x.getShape().get(1), heads, dKv).transpose(0, 2, 1, 3);
    }
}
