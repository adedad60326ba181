package dev.anneal.worker.model.llama;

import ai.djl.ndarray.NDArray;
import dev.anneal.worker.model.layers.Activations;
import dev.anneal.worker.model.layers.Linear;
import dev.anneal.worker.model.layers.NamedBlock;
import java.util.function.UnaryOperator;

/** The gated (SwiGLU with silu) feed-forward: down_proj(act(gate_proj(x)) * up_proj(x)). */
final class LlamaMlp extends NamedBlock {
    private final Linear gateProj;
    private final Linear upProj;
    private final Linear downProj;
    private final UnaryOperator<NDArray> activation;

    LlamaMlp(LlamaSettings s) {
        gateProj = module("gate_proj", new Linear(s.hiddenSize(), s.intermediateSize(), s.mlpBias()));
        upProj = module("up_proj", new Linear(s.hiddenSize(), s.intermediateSize(), s.mlpBias()));
        downProj = module("down_proj", new Linear(s.intermediateSize(), s.hiddenSize(), s.mlpBias()));
        activation = Activations.byName(s.hiddenAct());
    }

    NDArray forward(NDArray x) {
        return downProj.forward(activation.apply(gateProj.forward(x)).mul(upProj.forward(x)));
    }
}
