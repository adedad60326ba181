package dev.anneal.worker.model.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.anneal.worker.model.layers.NamedBlock;
import dev.anneal.worker.model.layers.WeightInit;
import dev.anneal.worker.tensor.Scalars;

/** T5's layer norm: scale only, root mean square without mean subtraction and without bias. */
final class T5LayerNorm extends NamedBlock {
    private final float eps;
    private final Parameter weight;

    T5LayerNorm(long size, double eps) {
        this.eps = (float) eps;
        this.weight = parameter("weight", new Shape(size), WeightInit.ONES);
    }

    NDArray forward(NDArray x) {
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return x.mul(Scalars.reciprocal(variance.add(eps).sqrt())).mul(weight.getArray());
    }
}
