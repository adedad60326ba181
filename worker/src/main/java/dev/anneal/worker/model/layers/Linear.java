package dev.anneal.worker.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** {@code nn.Linear}: y = x W^T + b with W stored as [out, in] like PyTorch. */
public final class Linear extends NamedBlock {
    private final long in;
    private final long out;
    private final Parameter weight;
    private final Parameter bias;
    private LinearAdapter adapter;
    private LinearWeightSource weightSource;

    public Linear(long in, long out, boolean bias) {
        this(in, out, null, bias, null);
    }

    /**
     * A linear layer that shares parameters owned elsewhere: {@code tiedWeight} (null for a weight of its
     * own) and {@code tiedBias} (null for a bias of its own when {@code bias}, else none).
     */
    public Linear(long in, long out, Parameter tiedWeight, boolean bias, Parameter tiedBias) {
        this.in = in;
        this.out = out;
        if (tiedWeight == null) {
            this.weight = parameter("weight", new Shape(out, in), WeightInit.NORMAL);
        } else {
            this.weight = tiedWeight;
            tie("weight", tiedWeight);
        }
        if (!bias) {
            this.bias = null;
        } else if (tiedBias == null) {
            this.bias = parameter("bias", new Shape(out), WeightInit.ZEROS);
        } else {
            this.bias = tiedBias;
            tie("bias", tiedBias);
        }
    }

    public NDArray forward(NDArray x) {
        NDArray w = weightSource == null ? weight.getArray() : weightSource.weightFor(x);
        NDArray y = linear(x, w, bias == null ? null : bias.getArray());
        return adapter == null ? y : y.add(adapter.delta(x));
    }

    /**
     * {@code torch.nn.functional.linear}. Inputs of more than two dimensions are flattened to [rows, in] so
     * that libtorch fuses the bias into one {@code addmm}, as torch's own linear does for contiguous input;
     * DJL's linear would run a batched matmul and a separate bias add (with its own backward) instead.
     */
    static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        Shape shape = x.getShape();
        if (shape.dimension() <= 2 || bias == null) {
            return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
        }
        NDArray rows = x.reshape(-1, shape.get(shape.dimension() - 1));
        NDArray y = rows.getNDArrayInternal().linear(rows, weight, bias).singletonOrThrow();
        long[] dims = shape.getShape();
        dims[dims.length - 1] = weight.getShape().get(0);
        return y.reshape(dims);
    }

    /**
     * Adds {@code adapter}'s term to every output (null removes it). Adapter parameters are not part of
     * this block's names: they belong to whoever attached them (LoRA keeps its own, PEFT-named).
     */
    public void setAdapter(LinearAdapter adapter) {
        this.adapter = adapter;
    }

    /**
     * Makes forward take its weight from {@code source} (a 4-bit copy dequantized on the fly) instead of the
     * weight parameter, whose array the caller may then free; null goes back to the parameter.
     */
    public void setWeightSource(LinearWeightSource source) {
        this.weightSource = source;
    }

    public LinearWeightSource weightSource() {
        return weightSource;
    }

    public LinearAdapter adapter() {
        return adapter;
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
