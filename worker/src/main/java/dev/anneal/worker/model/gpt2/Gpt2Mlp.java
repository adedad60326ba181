package dev.anneal.worker.model.gpt2;

import ai.djl.ndarray.NDArray;
import dev.anneal.worker.model.layers.Activations;
import dev.anneal.worker.model.layers.Conv1D;
import dev.anneal.worker.model.layers.Dropout;
import dev.anneal.worker.model.layers.NamedBlock;
import java.util.function.UnaryOperator;

/** GPT-2 feed-forward: c_fc, activation_function, c_proj, residual dropout. */
final class Gpt2Mlp extends NamedBlock {
    private final Gpt2Settings settings;
    private final Conv1D cFc;
    private final UnaryOperator<NDArray> activation;
    private final Conv1D cProj;

    Gpt2Mlp(Gpt2Settings s) {
        settings = s;
        cFc = module("c_fc", new Conv1D(s.hiddenSize(), s.innerSize()));
        activation = Activations.byName(s.activation());
        cProj = module("c_proj", new Conv1D(s.innerSize(), s.hiddenSize()));
    }

    NDArray forward(NDArray x, boolean training) {
        return Dropout.apply(cProj.forward(activation.apply(cFc.forward(x))), settings.residDropout(), training);
    }
}
