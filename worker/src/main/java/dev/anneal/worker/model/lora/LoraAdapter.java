package dev.anneal.worker.model.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import dev.anneal.worker.model.layers.Dropout;
import dev.anneal.worker.model.layers.LinearAdapter;
import dev.anneal.worker.tensor.Scalars;
import java.util.function.BooleanSupplier;

/** The LoRA update of one linear layer: {@code B(A(dropout(x))) * scaling}, A [r, in] and B [out, r]. */
final class LoraAdapter implements LinearAdapter {
    private final Parameter a;
    private final Parameter b;
    private final float scaling;
    private final double dropout;
    private final BooleanSupplier training;

    LoraAdapter(Parameter a, Parameter b, double scaling, double dropout, BooleanSupplier training) {
        this.a = a;
        this.b = b;
        this.scaling = (float) scaling;
        this.dropout = dropout;
        this.training = training;
    }

    @Override
    public NDArray delta(NDArray input) {
        NDArray x = Dropout.apply(input, dropout, training.getAsBoolean());
        NDArray down = x.getNDArrayInternal().linear(x, a.getArray(), null).singletonOrThrow();
        NDArray delta = down.getNDArrayInternal().linear(down, b.getArray(), null).singletonOrThrow();
        return Scalars.mul(delta, scaling);
    }
}
