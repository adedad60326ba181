package dev.anneal.worker.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** {@code nn.LayerNorm} over the last dimension with an elementwise weight and bias. */
public final class LayerNorm extends NamedBlock {
    private final long size;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;

    public LayerNorm(long size, double eps) {
        this.size = size;
        this.eps = (float) eps;
        this.weight = parameter("weight", new Shape(size), WeightInit.ONES);
        this.bias = parameter("bias", new Shape(size), WeightInit.ZEROS);
    }

    public NDArray forward(NDArray x) {
        return x.getNDArrayInternal()
                .layerNorm(x, new Shape(size), weight.getArray(), bias.getArray(), eps)
                .singletonOrThrow();
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
