package dev.anneal.worker.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * transformers' {@code Conv1D} (GPT-2's projections): y = x W + b with W stored as [in, out], the
 * transpose of {@code nn.Linear}'s layout. The checkpoint layout is kept so that names, shapes and
 * values load and save unchanged.
 */
public final class Conv1D extends NamedBlock {
    private final long in;
    private final long out;
    private final Parameter weight;
    private final Parameter bias;

    public Conv1D(long in, long out) {
        this.in = in;
        this.out = out;
        this.weight = parameter("weight", new Shape(in, out), WeightInit.NORMAL);
        this.bias = parameter("bias", new Shape(out), WeightInit.ZEROS);
    }

    /** x [..., in] to [..., out]; computed as transformers does, addmm(bias, x2d, W) on the flattened rows. */
    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        NDArray rows = x.reshape(-1, in);
        // linear(x, W^T, b) is addmm(b, x, (W^T)^T) = addmm(b, x, W): the same kernel as HF's Conv1D.
        NDArray y = rows.getNDArrayInternal().linear(rows, weight.getArray().transpose(), bias.getArray()).singletonOrThrow();
        long[] dims = shape.getShape().clone();
        dims[dims.length - 1] = out;
        return y.reshape(new Shape(dims));
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    public long inFeatures() {
        return in;
    }

    public long outFeatures() {
        return out;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(inputs.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long[] dims = inputShapes[0].getShape().clone();
        dims[dims.length - 1] = out;
        return new Shape[] {new Shape(dims)};
    }
}
