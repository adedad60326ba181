package dev.anneal.worker.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** {@code nn.Embedding}: a lookup table [count, dim]; the padding row (if any) is zeroed at init. */
public final class Embedding extends NamedBlock {
    private final long count;
    private final long dim;
    private final Parameter weight;
    private final long paddingIndex;

    public Embedding(long count, long dim, long paddingIndex) {
        this.count = count;
        this.dim = dim;
        this.paddingIndex = paddingIndex;
        this.weight = parameter("weight", new Shape(count, dim), WeightInit.NORMAL, paddingIndex);
    }

    /**
     * Looks up integer ids of any shape; the result has one more dimension of size dim. As with
     * {@code nn.Embedding(padding_idx=...)}, the padding row receives no gradient.
     */
    public NDArray forward(NDArray ids) {
        NDArray index = ids.getDataType() == DataType.INT64 ? ids : ids.toType(DataType.INT64, false);
        NDArray vectors = index.getNDArrayInternal().embedding(index, weight.getArray(), SparseFormat.DENSE).singletonOrThrow();
        if (paddingIndex < 0) {
            return vectors;
        }
        // Same values; the gradient reaches the table only through non-padding positions.
        NDArray keep = index.neq(paddingIndex).toType(vectors.getDataType(), false).expandDims(-1);
        return vectors.mul(keep).add(vectors.stopGradient().mul(keep.neg().add(1f)));
    }

    public Parameter weight() {
        return weight;
    }

    public long count() {
        return count;
    }

    public long dim() {
        return dim;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(inputs.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(dim)};
    }
}
