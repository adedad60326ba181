package dev.anneal.worker.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Root-mean-square norm over the last dimension with an elementwise weight and no bias, as
 * transformers' {@code LlamaRMSNorm}: x / sqrt(mean(x^2) + eps) computed in float32, cast back to the
 * input type, then scaled by the weight.
 */
public final class RmsNorm extends NamedBlock {
    private final long size;
    private final float eps;
    private final Parameter weight;

    public RmsNorm(long size, double eps) {
        this.size = size;
        this.eps = (float) eps;
        this.weight = parameter("weight", new Shape(size), WeightInit.ONES);
    }

    public NDArray forward(NDArray x) {
        DataType inputType = x.getDataType();
        NDArray wide = inputType == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        NDArray variance = wide.square().mean(new int[] {wide.getShape().dimension() - 1}, true);
        // x / sqrt(v + eps): DJL has no rsqrt; the two differ by at most one float32 rounding.
        NDArray normed = wide.div(variance.add(eps).sqrt());
        if (inputType != DataType.FLOAT32) {
            normed = normed.toType(inputType, false);
        }
        return weight.getArray().mul(normed);
    }

    public long size() {
        return size;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(inputs.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
