package dev.anneal.worker.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;

/**
 * An embedding lookup whose table is owned by another module, as transformers' encoder-decoder models
 * share one {@code shared} embedding between {@code encoder.embed_tokens} and {@code decoder.embed_tokens}:
 * the name {@code weight} is registered as a tie, never as a tensor of its own. As with
 * {@code nn.Embedding(padding_idx=...)}, the padding row gets no gradient through this lookup.
 */
public final class TiedEmbedding extends NamedBlock {
    private final Parameter weight;
    private final long paddingIndex;

    public TiedEmbedding(Parameter weight, long paddingIndex) {
        this.weight = weight;
        this.paddingIndex = paddingIndex;
        tie("weight", weight);
    }

    /** Looks up integer ids of any shape; the result has one more dimension (the table width). */
    public NDArray forward(NDArray ids) {
        NDArray index = ids.getDataType() == DataType.INT64 ? ids : ids.toType(DataType.INT64, false);
        NDArray vectors = index.getNDArrayInternal().embedding(index, weight.getArray(), SparseFormat.DENSE).singletonOrThrow();
        if (paddingIndex < 0) {
            return vectors;
        }
        NDArray keep = index.neq(paddingIndex).toType(vectors.getDataType(), false).expandDims(-1);
        return vectors.mul(keep).add(vectors.stopGradient().mul(keep.neg().add(1f)));
    }
}
