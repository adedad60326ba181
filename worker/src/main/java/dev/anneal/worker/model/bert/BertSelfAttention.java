package dev.anneal.worker.model.bert;

import ai.djl.ndarray.NDArray;
import dev.anneal.worker.model.layers.Dropout;
import dev.anneal.worker.model.layers.Linear;
import dev.anneal.worker.model.layers.NamedBlock;
import dev.anneal.worker.tensor.Scalars;

/** Multi-head scaled dot-product self-attention with query/key/value projections. */
final class BertSelfAttention extends NamedBlock {
    private final int heads;
    private final int headSize;
    private final double dropout;
    private final Linear query;
    private final Linear key;
    private final Linear value;

    BertSelfAttention(BertSettings s) {
        heads = s.heads();
        headSize = s.hiddenSize() / s.heads();
        dropout = s.attentionDropout();
        query = module("query", new Linear(s.hiddenSize(), s.hiddenSize(), true));
        key = module("key", new Linear(s.hiddenSize(), s.hiddenSize(), true));
        value = module("value", new Linear(s.hiddenSize(), s.hiddenSize(), true));
    }

    /** x [batch, seq, hidden]; maskBias [batch, 1, 1, seq] or null. Returns the context [batch, seq, hidden]. */
    NDArray forward(NDArray x, NDArray maskBias, boolean training) {
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        NDArray q = splitHeads(query.forward(x), batch, seq);
        NDArray k = splitHeads(key.forward(x), batch, seq);
        NDArray v = splitHeads(value.forward(x), batch, seq);
        NDArray scores = Scalars.mul(q.matMul(k.transpose(0, 1, 3, 2)), 1.0 / Math.sqrt(headSize));
        if (maskBias != null) {
            scores = scores.add(maskBias);
        }
        NDArray probs = Dropout.apply(scores.softmax(-1), dropout, training);
        return probs.matMul(v).transpose(0, 2, 1, 3).reshape(batch, seq, (long) heads * headSize);
    }

    private NDArray splitHeads(NDArray x, long batch, long seq) {
        return x.reshape(batch, seq, heads, headSize).transpose(0, 2, 1, 3);
    }
}
