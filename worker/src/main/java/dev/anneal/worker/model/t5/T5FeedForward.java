package dev.anneal.worker.model.t5;

import ai.djl.ndarray.NDArray;
import dev.anneal.worker.model.layers.Activations;
import dev.anneal.worker.model.layers.Dropout;
import dev.anneal.worker.model.layers.Linear;
import dev.anneal.worker.model.layers.NamedBlock;
import java.util.function.UnaryOperator;

/** {@code DenseReluDense}: wi, activation, dropout, wo; gated variants multiply act(wi_0 x) by wi_1 x. */
final class T5FeedForward extends NamedBlock {
    private final Linear wi;
    private final Linear wi0;
    private final Linear wi1;
    private final Linear wo;
    private final UnaryOperator<NDArray> activation;
    private final double dropout;

    T5FeedForward(T5Settings s) {
        if (s.gated()) {
            wi = null;
            wi0 = module("wi_0", new Linear(s.dModel(), s.dFf(), false));
            wi1 = module("wi_1", new Linear(s.dModel(), s.dFf(), false));
        } else {
            wi = module("wi", new Linear(s.dModel(), s.dFf(), false));
            wi0 = null;
            wi1 = null;
        }
        wo = module("wo", new Linear(s.dFf(), s.dModel(), false));
        activation = Activations.byName(s.activation());
        dropout = s.dropout();
    }

    NDArray forward(NDArray x, boolean training) {
        NDArray inner = wi != null
                ? activation.apply(wi.forward(x))
                : activation.apply(wi0.forward(x)).mul(wi1.forward(x));
        return wo.forward(Dropout.apply(inner, dropout, training));
    }
}
